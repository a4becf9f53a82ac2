"""config.py: precedence, profiles, and the file on disk (mode, atomic write, corrupt, missing)."""

from __future__ import annotations

import os
import stat

import pytest

from closetask import config
from closetask.config import resolve
from closetask.core.timezone import TimeZone
from closetask.errors import ConfigError, UsageError

DATA = {
    "default_profile": "acme",
    "profiles": {
        "acme": {
            "api_key": "api_ACME.profilekey",
            "timezone": "America/New_York",
            "base_url": "https://acme.example.com/api/v1/",
            "user_id": "user_acme",
            "user_email": "rep@acme.example",
            "page_size": 50,
        },
        "globex": {"api_key": "api_GLOBEX.profilekey", "tz_offset": 5.5},
        "bare": {},
    },
}


# --- precedence: flag > environment > profile > default ------------------------------


@pytest.mark.parametrize(
    ("flag", "env", "data", "expected", "source"),
    [
        ("globex", {"CLOSETASK_PROFILE": "bare"}, DATA, "globex", "--profile"),
        (None, {"CLOSETASK_PROFILE": "globex"}, DATA, "globex", "CLOSETASK_PROFILE"),
        (None, {}, DATA, "acme", "config file"),
        (None, {}, {}, "default", "default"),
    ],
)
def test_profile_precedence(flag, env, data, expected, source):
    s = resolve(profile=flag, env=env, data=data)
    assert s.profile == expected
    assert s.sources["profile"] == source


@pytest.mark.parametrize(
    ("env", "data", "expected", "source"),
    [
        ({"CLOSE_API_KEY": "api_ENV.key"}, DATA, "api_ENV.key", "CLOSE_API_KEY"),
        ({}, DATA, "api_ACME.profilekey", "profile acme"),
        ({}, {}, None, "default"),
    ],
)
def test_api_key_precedence(env, data, expected, source):
    s = resolve(env=env, data=data)
    assert s.api_key == expected
    assert s.sources["api_key"] == source


def test_api_key_follows_the_profile_flag():
    assert resolve(profile="globex", env={}, data=DATA).api_key == "api_GLOBEX.profilekey"
    # ... but the environment's key still wins over the chosen profile's.
    assert resolve(profile="globex", env={"CLOSE_API_KEY": "api_ENV.key"}, data=DATA).api_key == "api_ENV.key"


def test_env_key_does_not_borrow_the_profiles_cached_user():
    # The cached user belongs to the profile's key, not to whatever key the environment gives.
    s = resolve(env={"CLOSE_API_KEY": "api_ENV.key"}, data=DATA)
    assert (s.user_id, s.user_email) == (None, None)
    s = resolve(env={}, data=DATA)
    assert (s.user_id, s.user_email) == ("user_acme", "rep@acme.example")


@pytest.mark.parametrize(
    ("env", "data", "expected", "source"),
    [
        (
            {"CLOSETASK_BASE_URL": "http://127.0.0.1:8123/api/v1"},
            DATA,
            "http://127.0.0.1:8123/api/v1/",
            "CLOSETASK_BASE_URL",
        ),
        ({}, DATA, "https://acme.example.com/api/v1/", "profile acme"),
        ({}, {"profiles": {"default": {"api_key": "k"}}}, "https://api.close.com/api/v1/", "default"),
        ({}, {}, "https://api.close.com/api/v1/", "default"),
    ],
)
def test_base_url_precedence(env, data, expected, source):
    s = resolve(env=env, data=data)
    assert s.base_url == expected
    assert s.sources["base_url"] == source


def test_default_base_url():
    assert config.DEFAULT_BASE_URL == "https://api.close.com/api/v1/"


def test_plain_http_base_url_from_env_is_refused_off_loopback():
    with pytest.raises(UsageError, match="unencrypted") as info:
        resolve(env={"CLOSETASK_BASE_URL": "http://example.com/api/v1/"}, data={})
    assert info.value.exit_code == 2  # bad input for this command, not a broken file


def test_plain_http_base_url_in_the_file_is_a_config_error():
    with pytest.raises(ConfigError, match="unencrypted") as info:
        resolve(env={}, data={"profiles": {"default": {"base_url": "http://example.com/api/v1/"}}})
    assert info.value.exit_code == 4


@pytest.mark.parametrize(
    ("env", "profile", "expected", "source"),
    [
        ({"CLOSETASK_TZ": "Asia/Kolkata"}, None, TimeZone(key="Asia/Kolkata"), "CLOSETASK_TZ"),
        ({"CLOSETASK_TZ": "-8"}, None, TimeZone(hours=-8), "CLOSETASK_TZ"),
        ({"CLOSETASK_TZ": "-2.5"}, "globex", TimeZone(hours=-2.5), "CLOSETASK_TZ"),
        ({}, None, TimeZone(key="America/New_York"), "profile acme"),
        ({}, "globex", TimeZone(hours=5.5), "profile globex"),
    ],
)
def test_timezone_precedence(env, profile, expected, source):
    s = resolve(profile=profile, env=env, data=DATA)
    assert s.timezone == expected
    assert s.sources["timezone"] == source


def test_timezone_defaults_to_the_machine(monkeypatch):
    monkeypatch.setattr(TimeZone, "local", classmethod(lambda cls, **kw: cls(key="Europe/Berlin")))
    s = resolve(profile="bare", env={}, data=DATA)
    assert s.timezone == TimeZone(key="Europe/Berlin")
    assert s.sources["timezone"] == "this machine"


def test_profile_timezone_wins_over_its_tz_offset():
    data = {"profiles": {"default": {"timezone": "Europe/Paris", "tz_offset": 3}}}
    assert resolve(env={}, data=data).timezone == TimeZone(key="Europe/Paris")


@pytest.mark.parametrize("value", ["Mars/Olympus", "25", "5.1"])
def test_invalid_env_timezone_is_a_usage_error(value):
    with pytest.raises(UsageError) as info:
        resolve(env={"CLOSETASK_TZ": value}, data={})
    assert "CLOSETASK_TZ" in info.value.message
    assert info.value.exit_code == 2


def test_numbers_come_from_the_profile():
    s = resolve(env={}, data=DATA)
    assert (s.page_size, s.timeout, s.concurrency) == (50, 30.0, None)  # None: not set, each command picks
    with pytest.raises(ConfigError, match="page_size"):
        resolve(env={}, data={"profiles": {"default": {"page_size": "lots"}}})


# --- profiles ------------------------------------------------------------------------


def test_unknown_profile_flag_names_the_profiles():
    with pytest.raises(UsageError) as info:
        resolve(profile="initech", env={}, data=DATA)
    assert info.value.exit_code == 2
    assert "initech" in info.value.message
    assert "acme, bare, globex" in info.value.message
    assert "closetask config init --profile initech" in info.value.hint


def test_unknown_profile_flag_without_any_profiles():
    with pytest.raises(UsageError, match="none yet"):
        resolve(profile="initech", env={}, data={})


def test_sandbox_needs_no_profile_or_key():
    s = resolve(profile="initech", sandbox=True, env={}, data={})
    assert s.sandbox and s.profile == "sandbox" and s.api_key is None


def test_default_profile_selects_its_settings():
    data = {**DATA, "default_profile": "globex"}
    s = resolve(env={}, data=data)
    assert (s.profile, s.api_key, s.timezone) == ("globex", "api_GLOBEX.profilekey", TimeZone(hours=5.5))


# --- the file ------------------------------------------------------------------------


def test_files_live_under_closetask_home(home):
    assert config.config_path() == home / "config.toml"
    assert config.data_dir() == home / "data"
    assert config.state_dir() == home / "state"


def test_missing_file_is_an_empty_config(home):
    assert not config.config_path().exists()
    assert config.load_file() == {}
    s = resolve(env={})
    assert (s.profile, s.api_key, s.base_url) == ("default", None, "https://api.close.com/api/v1/")


def test_round_trip(home):
    path = config.save_file(DATA)
    assert path == home / "config.toml"
    assert config.load_file() == DATA


def test_none_values_are_dropped_on_save(home):
    config.save_file({"profiles": {"a": {"api_key": "k", "base_url": None}}})
    assert config.load_file() == {"profiles": {"a": {"api_key": "k"}}}


def test_created_with_mode_0600_even_with_a_permissive_umask(home):
    old = os.umask(0)
    try:
        config.save_file(DATA)
    finally:
        os.umask(old)
    assert stat.S_IMODE(config.config_path().stat().st_mode) == 0o600


def test_rewrite_makes_an_exposed_file_0600(home):
    path = config.config_path()
    path.write_text('default_profile = "acme"\n')
    path.chmod(0o644)
    config.save_file(DATA)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_temp_file_is_never_readable_by_others(home, monkeypatch):
    modes: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        # The moment the key is in the temporary file: who could read it?
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    old = os.umask(0)
    try:
        config.save_file(DATA)
    finally:
        os.umask(old)
    assert modes and all(m & 0o077 == 0 for m in modes)


def test_stale_temp_files_do_not_leak_the_key(home, monkeypatch):
    # A temporary file left by an earlier crash, readable by all, must not receive the key.
    stale = home / f".config.toml.{os.getpid()}.tmp"
    stale.write_text("")
    stale.chmod(0o644)
    modes: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    config.save_file(DATA)
    assert modes and all(m & 0o077 == 0 for m in modes)
    assert stat.S_IMODE(config.config_path().stat().st_mode) == 0o600


@pytest.mark.parametrize("fail", ["replace", "fsync", "write"])
def test_crash_mid_write_keeps_the_old_file_and_leaves_no_temp(home, monkeypatch, fail):
    path = config.config_path()
    config.save_file({"default_profile": "old", "profiles": {"old": {"api_key": "api_OLD"}}})
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if fail == "write":
        real_fdopen = os.fdopen

        class HalfWritten:
            """A file whose disk fills up halfway through the text."""

            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, text):
                self.fh.write(text[: len(text) // 2])
                self.fh.flush()
                boom()

            def __getattr__(self, name):
                return getattr(self.fh, name)

        monkeypatch.setattr(os, "fdopen", lambda *a, **k: HalfWritten(real_fdopen(*a, **k)))
    else:
        monkeypatch.setattr(os, fail, boom)
    from closetask.errors import StateError

    with pytest.raises(
        StateError, match=r"cannot write the config file .*: No space left on device; it is left as it was"
    ):
        config.save_file(DATA)  # one line for the user, exit 1, not "unexpected error: OSError"
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == ["config.toml"]


def test_interrupt_mid_write_leaves_no_temp(home, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        config.save_file(DATA)
    monkeypatch.undo()
    assert list(home.iterdir()) == []


def test_corrupt_toml_names_file_and_line(home):
    path = config.config_path()
    path.write_text('default_profile = "acme"\n[profiles.acme]\napi_key = "api_x\n')
    with pytest.raises(ConfigError) as info:
        config.load_file()
    assert info.value.exit_code == 4
    assert str(path) in info.value.message
    assert "line 3" in info.value.message


def test_not_utf8_is_a_config_error(home):
    config.config_path().write_bytes(b'default_profile = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load_file()


def test_profiles_must_be_tables(home):
    config.config_path().write_text('profiles = "acme"\n')
    with pytest.raises(ConfigError, match="must be tables"):
        config.load_file()


def test_readable_by_others_is_detected(home):
    path = config.config_path()
    config.save_file(DATA)
    assert config.warn_if_exposed() is None
    path.chmod(0o644)
    warning = config.warn_if_exposed()
    assert warning and str(path) in warning and "chmod 600" in warning
    path.chmod(0o640)
    assert config.warn_if_exposed()


# --- validation and masking ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("https://api.close.com/api/v1/", "https://api.close.com/api/v1/"),
        ("https://api.close.com/api/v1", "https://api.close.com/api/v1/"),
        ("http://127.0.0.1:8000/api/v1/", "http://127.0.0.1:8000/api/v1/"),
        ("http://localhost:8000/api/v1", "http://localhost:8000/api/v1/"),
        ("http://[::1]:8000/api/v1/", "http://[::1]:8000/api/v1/"),
        ("http://127.8.9.10:8000/api/v1/", "http://127.8.9.10:8000/api/v1/"),  # all of 127.0.0.0/8
    ],
)
def test_base_url_accepted(url, stored):
    assert config.validate_base_url(url) == stored


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/api/v1/",
        "http://10.0.0.1/api/v1/",
        "ftp://api.close.com/",
        "api.close.com",
        "",
        # Loopback by name only if the resolver says so: plain http is refused to these.
        "http://evil.localhost/api/v1/",
        "http://localhost.example.com/api/v1/",
        "http://[::ffff:127.0.0.1]/api/v1/",
        "http://0.0.0.0:8000/api/v1/",
    ],
)
def test_base_url_refused(url):
    with pytest.raises(UsageError):
        config.validate_base_url(url)


def test_mask_key_shows_only_the_last_four():
    key = "api_TestKey1234567890.abcdefSECRET"
    assert config.mask_key(key) == "********CRET"
    assert config.mask_key(None) == "(not set)"
    assert config.mask_key("short") == "********"


def test_concurrent_writers_do_not_collide(home):
    # Caches are written from worker threads too: each write needs its own temporary file.
    from concurrent.futures import ThreadPoolExecutor

    datas = [{"profiles": {f"p{n}": {"api_key": f"api_{n}" * 200}}} for n in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(config.save_file, datas))
    assert config.load_file() in datas
    assert sorted(p.name for p in home.iterdir()) == ["config.toml"]


def test_unknown_profile_from_environment_is_refused_not_silently_empty():
    from closetask import config
    from closetask.errors import UsageError

    with pytest.raises(UsageError, match=r"no profile named 'typo' \(CLOSETASK_PROFILE; profiles: acme\)"):
        config.resolve(env={"CLOSETASK_PROFILE": "typo"}, data={"profiles": {"acme": {"api_key": "k"}}})
