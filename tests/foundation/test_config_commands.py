"""`closetask config ...` and `closetask whoami` through the CLI, with Close faked at the transport."""

from __future__ import annotations

import importlib.util
import json
import stat
import tomllib

import pytest

from fakeclose import ME, basic, respond

KEY = "api_TestKey1234567890.abcdefSECRET"
OTHER_KEY = "api_OtherKey0987654321.zyxwvuHIDDEN"


def read_config(home) -> dict:
    return tomllib.loads((home / "config.toml").read_text())


def write_config(home, text: str) -> None:
    path = home / "config.toml"
    path.write_text(text)
    path.chmod(0o600)


ACME = f'''default_profile = "acme"

[profiles.acme]
api_key = "{KEY}"
timezone = "America/Los_Angeles"
user_id = "user_acme"
user_email = "rep@acme.example"

[profiles.globex]
api_key = "{OTHER_KEY}"
tz_offset = 5.5
base_url = "https://globex.example.com/api/v1/"
'''


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


# --- config init ---------------------------------------------------------------------


def test_init_checks_the_key_and_stores_it_with_user_and_machine_zone(cli, fake_cli, home, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    fake_cli.on("GET", "me/", respond(200, ME))

    result = cli("config", "init", "--api-key-stdin", input=KEY + "\n")

    assert result.exit_code == 0, result.stderr
    [request] = fake_cli.requests
    assert (request.method, str(request.url)) == ("GET", "https://api.close.com/api/v1/me/")
    assert request.headers["Authorization"] == basic(KEY)
    assert read_config(home) == {
        "default_profile": "default",
        "profiles": {
            "default": {
                "api_key": KEY,
                "user_id": ME["id"],
                "user_email": "rep@example.com",
                "timezone": "Asia/Kolkata",
            }
        },
    }
    assert stat.S_IMODE((home / "config.toml").stat().st_mode) == 0o600
    assert result.stdout == ""
    assert "rep@example.com" in result.stderr and "Acme Corp" in result.stderr
    assert KEY not in result.output and KEY[-4:] not in result.output


def test_init_named_profile_with_fixed_offset_keeps_the_default(cli, fake_cli, home):
    write_config(home, ACME)
    fake_cli.on("GET", "me/", respond(200, ME))

    result = cli("config", "init", "--profile", "initech", "--api-key-stdin", "--timezone", "-2.5", input="api_NEW.key")

    assert result.exit_code == 0, result.stderr
    data = read_config(home)
    assert data["default_profile"] == "acme"
    assert data["profiles"]["initech"] == {
        "api_key": "api_NEW.key",
        "user_id": ME["id"],
        "user_email": "rep@example.com",
        "tz_offset": -2.5,
    }
    assert data["profiles"]["acme"]["api_key"] == KEY
    assert fake_cli.requests[0].headers["X-TZ-Offset"] == "-2.5"


def test_init_with_global_profile_flag_creates_that_profile(cli, fake_cli, home):
    fake_cli.on("GET", "me/", respond(200, ME))
    result = cli("--profile", "work", "config", "init", "--api-key-stdin", "--timezone", "UTC", input=KEY)
    assert result.exit_code == 0, result.stderr
    assert list(read_config(home)["profiles"]) == ["work"]


def test_init_stores_a_loopback_base_url(cli, fake_cli, home):
    fake_cli.on("GET", "me/", respond(200, ME))
    result = cli(
        "config",
        "init",
        "--api-key-stdin",
        "--base-url",
        "http://127.0.0.1:8123/api/v1",
        "--timezone",
        "UTC",
        input=KEY,
    )
    assert result.exit_code == 0, result.stderr
    assert str(fake_cli.requests[0].url) == "http://127.0.0.1:8123/api/v1/me/"
    assert read_config(home)["profiles"]["default"]["base_url"] == "http://127.0.0.1:8123/api/v1/"


def test_rejected_key_writes_nothing_and_exits_4(cli, fake_cli, home):
    fake_cli.on(
        "GET",
        "me/",
        respond(401, {"error": "The server could not verify that you are authorized to access the URL requested."}),
    )
    result = cli("config", "init", "--api-key-stdin", input=KEY)
    assert result.exit_code == 4
    assert "could not verify" in result.stderr
    assert not (home / "config.toml").exists()
    assert list(home.iterdir()) == []
    assert KEY not in result.output
    assert_no_traceback(result)


def test_rejected_key_leaves_an_existing_file_untouched(cli, fake_cli, home):
    write_config(home, ACME)
    before = (home / "config.toml").read_bytes()
    fake_cli.on("GET", "me/", respond(401))
    result = cli("config", "init", "--profile", "acme", "--api-key-stdin", input="api_WRONG.key")
    assert result.exit_code == 4
    assert (home / "config.toml").read_bytes() == before


def test_init_off_a_terminal_without_stdin_flag_exits_2(cli, fake_cli, home):
    result = cli("config", "init", input=KEY)
    assert result.exit_code == 2
    assert "--api-key-stdin" in result.stderr
    assert fake_cli.requests == []
    assert not (home / "config.toml").exists()
    assert_no_traceback(result)


@pytest.mark.parametrize("text", ["", "   \n", "api_one two"])
def test_init_empty_or_malformed_key_exits_2(cli, fake_cli, home, text):
    result = cli("config", "init", "--api-key-stdin", input=text)
    assert result.exit_code == 2
    assert fake_cli.requests == []
    assert not (home / "config.toml").exists()


def test_init_refuses_plain_http_off_loopback(cli, fake_cli, home):
    result = cli("config", "init", "--api-key-stdin", "--base-url", "http://example.com/api/v1/", input=KEY)
    assert result.exit_code == 2  # bad input, not a broken file or a key
    assert "unencrypted" in result.stderr
    assert fake_cli.requests == []
    assert not (home / "config.toml").exists()


@pytest.mark.e2e
@pytest.mark.skipif(
    importlib.util.find_spec("closetask.cli.sandbox") is None, reason="`closetask sandbox serve` not built yet"
)
def test_init_against_the_sandbox_server(sandbox_server, run):
    result = run(
        None,
        "config",
        "init",
        "--api-key-stdin",
        "--base-url",
        sandbox_server.base_url,
        "--timezone",
        "UTC",
        input=sandbox_server.api_key,
    )
    assert result.exit_code == 0, result.stderr
    profile = tomllib.loads((run.home / "config.toml").read_text())["profiles"]["default"]
    assert profile["api_key"] == sandbox_server.api_key and profile["user_id"]
    assert any(line.startswith("GET /api/v1/me/") for line in sandbox_server.requests("GET"))
    rejected = run(
        None,
        "config",
        "init",
        "--profile",
        "bad",
        "--api-key-stdin",
        "--base-url",
        sandbox_server.base_url,
        input="api_wrong.key",
    )
    assert rejected.exit_code == 4
    assert "bad" not in tomllib.loads((run.home / "config.toml").read_text())["profiles"]


# --- config show / path --------------------------------------------------------------


def test_show_masks_the_key(cli, home, monkeypatch):
    monkeypatch.delenv("CLOSETASK_TZ")
    write_config(home, ACME)
    result = cli("config", "show")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "api_key      ********CRET  (profile acme)" in lines
    assert "profile      acme  (config file)" in lines
    assert "timezone     America/Los_Angeles  (profile acme)" in lines
    assert "base_url     https://api.close.com/api/v1/" in lines
    assert KEY not in result.output
    assert KEY[:-4] not in result.output


def test_show_json_masks_the_key_and_names_sources(cli, home):
    write_config(home, ACME)
    result = cli("config", "show", "--json", env={"CLOSE_API_KEY": OTHER_KEY})
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["api_key"] == "********DDEN"
    assert shown["sources"]["api_key"] == "CLOSE_API_KEY"
    assert shown["sources"]["timezone"] == "CLOSETASK_TZ"
    assert shown["timezone"] == "UTC"
    assert KEY not in result.output and OTHER_KEY not in result.output


def test_show_other_profile(cli, home, monkeypatch):
    monkeypatch.delenv("CLOSETASK_TZ")
    write_config(home, ACME)
    shown = json.loads(cli("--profile", "globex", "config", "show", "--json").stdout)
    assert (shown["profile"], shown["base_url"], shown["timezone"]) == (
        "globex",
        "https://globex.example.com/api/v1/",
        "UTC+05:30",
    )
    shown = json.loads(cli("config", "show", "--json", env={"CLOSETASK_PROFILE": "globex"}).stdout)
    assert shown["profile"] == "globex"


def test_unknown_profile_flag_exits_2_naming_profiles(cli, home):
    write_config(home, ACME)
    result = cli("--profile", "initech", "config", "show")
    assert result.exit_code == 2  # bad input, not a broken file or a key
    assert "error: no profile named 'initech' (--profile; profiles: acme, globex)" in result.stderr
    assert "closetask config init --profile initech" in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result)


def test_config_readable_by_others_warns_on_stderr(cli, home):
    write_config(home, ACME)
    (home / "config.toml").chmod(0o644)
    result = cli("config", "show")
    assert result.exit_code == 0
    assert f"warning: {home / 'config.toml'} is readable by other users" in result.stderr
    assert "warning" not in result.stdout


def test_private_config_does_not_warn(cli, home):
    write_config(home, ACME)
    assert "warning" not in cli("config", "show").stderr


def test_corrupt_config_exits_4_with_file_and_line(cli, home):
    write_config(home, 'default_profile = "acme"\n\n[profiles.acme\napi_key = "x"\n')
    for args in (("config", "show"), ("config", "profiles"), ("whoami",)):
        result = cli(*args)
        assert result.exit_code == 4, args
        assert str(home / "config.toml") in result.stderr
        assert "line 3" in result.stderr
        assert_no_traceback(result)


def test_path(cli, home):
    result = cli("config", "path")
    assert result.exit_code == 0
    assert result.stdout == f"{home / 'config.toml'}\n"


# --- config set ----------------------------------------------------------------------


def test_set_creates_the_file_0600(cli, home):
    result = cli("config", "set", "timezone", "america/new_york")
    assert result.exit_code == 0, result.stderr
    assert read_config(home) == {
        "default_profile": "default",
        "profiles": {"default": {"timezone": "America/New_York"}},
    }
    assert stat.S_IMODE((home / "config.toml").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("tz_offset", "-8", -8.0),
        ("tz_offset", "5.5", 5.5),
        ("base_url", "http://127.0.0.1:8000/api/v1", "http://127.0.0.1:8000/api/v1/"),
        ("page_size", "50", 50),
        ("page_size", "1000", 1000),  # Close took _limit=1000 on /task/ (close-api.md)
        ("timeout", "60", 60.0),
        ("concurrency", "4", 4),
    ],
)
def test_set_stores_validated_values(cli, home, key, value, stored):
    write_config(home, ACME)
    result = cli("config", "set", key, value)
    assert result.exit_code == 0, result.stderr
    assert read_config(home)["profiles"]["acme"][key] == stored


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timezone", "Mars/Olympus"),
        ("timezone", "-8"),
        ("tz_offset", "Europe/Paris"),
        ("tz_offset", "5.1"),
        ("base_url", "http://example.com"),
        ("base_url", "not a url"),
        ("page_size", "0"),
        ("page_size", "many"),
        ("page_size", "1001"),
        ("concurrency", "99"),
        ("timeout", "-1"),
        ("api_key", "two words"),
        ("colour", "blue"),
    ],
)
def test_set_refuses_bad_values_and_writes_nothing(cli, home, key, value):
    write_config(home, ACME)
    before = (home / "config.toml").read_bytes()
    result = cli("config", "set", key, value)
    assert result.exit_code == 2  # bad input, not a broken file or a key
    assert result.stderr.startswith("error: ")
    assert (home / "config.toml").read_bytes() == before
    assert_no_traceback(result)


def test_set_refused_without_a_file_creates_none(cli, home):
    result = cli("config", "set", "base_url", "http://example.com")
    assert result.exit_code == 2  # bad input, not a broken file or a key
    assert not (home / "config.toml").exists()


def test_timezone_and_tz_offset_replace_each_other(cli, home):
    write_config(home, ACME)
    assert cli("config", "set", "tz_offset", "-8").exit_code == 0
    profile = read_config(home)["profiles"]["acme"]
    assert profile["tz_offset"] == -8.0 and "timezone" not in profile
    assert cli("config", "set", "timezone", "Europe/Paris").exit_code == 0
    profile = read_config(home)["profiles"]["acme"]
    assert profile["timezone"] == "Europe/Paris" and "tz_offset" not in profile


def test_set_api_key_reads_stdin_checks_it_with_close_and_masks_it(cli, fake_cli, home):
    write_config(home, ACME)
    fake_cli.on("GET", "me/", respond(200, ME))
    new = "api_BrandNew1234567.key9"
    result = cli("--profile", "globex", "config", "set", "api_key", "-", input=new + "\n")
    assert result.exit_code == 0, result.stderr
    [request] = fake_cli.requests
    assert str(request.url) == "https://globex.example.com/api/v1/me/"  # the profile's own Close
    assert request.headers["Authorization"] == basic(new)
    assert new not in result.output
    assert "********key9" in result.stderr
    globex = read_config(home)["profiles"]["globex"]
    assert (globex["api_key"], globex["user_id"]) == (new, ME["id"])
    assert read_config(home)["profiles"]["acme"]["api_key"] == KEY


def test_set_api_key_asks_with_hidden_input_on_a_terminal(cli, fake_cli, home):
    write_config(home, ACME)
    fake_cli.on("GET", "me/", respond(200, ME))
    result = cli("config", "set", "api_key", input=OTHER_KEY + "\n", tty=("stdin",))
    assert result.exit_code == 0, result.stderr
    assert OTHER_KEY not in result.output
    assert read_config(home)["profiles"]["acme"]["api_key"] == OTHER_KEY


def test_set_api_key_without_a_value_off_a_terminal_says_how_to_pipe_it(cli, fake_cli, home):
    write_config(home, ACME)
    result = cli("config", "set", "api_key")
    assert result.exit_code == 2
    assert "closetask config set api_key -" in result.stderr
    assert fake_cli.requests == []


def test_set_api_key_on_the_command_line_is_refused_without_force(cli, fake_cli, home):
    write_config(home, ACME)
    before = (home / "config.toml").read_bytes()
    new = "api_BrandNew1234567.key9"
    result = cli("config", "set", "api_key", new)
    assert result.exit_code == 2
    assert "shell history" in result.stderr
    assert new not in result.output
    assert fake_cli.requests == [] and (home / "config.toml").read_bytes() == before

    fake_cli.on("GET", "me/", respond(200, ME))
    result = cli("config", "set", "api_key", new, "--force")
    assert result.exit_code == 0, result.stderr
    assert read_config(home)["profiles"]["acme"]["api_key"] == new


def test_set_api_key_rejected_by_close_writes_nothing_and_exits_4(cli, fake_cli, home):
    write_config(home, ACME)
    before = (home / "config.toml").read_bytes()
    fake_cli.on("GET", "me/", respond(401, {"error": "Invalid API key"}))
    result = cli("config", "set", "api_key", "-", input="api_Wrong1234567890.nope")
    assert result.exit_code == 4
    assert "api_Wrong1234567890" not in result.output
    assert (home / "config.toml").read_bytes() == before


# --- config remove --------------------------------------------------------------------


def test_remove_deletes_the_profile_and_its_state(cli, home):
    write_config(home, ACME)
    for kind in ("state", "cache"):
        (home / kind / "profiles" / "globex").mkdir(parents=True)
        (home / kind / "profiles" / "globex" / "journal.jsonl").write_text("{}")
        (home / kind / "profiles" / "acme").mkdir(parents=True)
    result = cli("config", "remove", "globex", "--yes")
    assert result.exit_code == 0, result.stderr
    assert sorted(read_config(home)["profiles"]) == ["acme"]
    assert not (home / "state" / "profiles" / "globex").exists()
    assert not (home / "cache" / "profiles" / "globex").exists()
    assert (home / "state" / "profiles" / "acme").is_dir()  # another profile's state stays
    assert OTHER_KEY not in (home / "config.toml").read_text()
    assert stat.S_IMODE((home / "config.toml").stat().st_mode) == 0o600


def test_remove_of_the_default_profile_leaves_no_default(cli, home):
    write_config(home, ACME)
    assert cli("config", "remove", "acme", "--yes").exit_code == 0
    assert "default_profile" not in read_config(home)


def test_remove_asks_on_a_terminal_and_needs_yes_off_one(cli, home):
    write_config(home, ACME)
    before = (home / "config.toml").read_bytes()
    result = cli("config", "remove", "globex")
    assert result.exit_code == 2 and "--yes" in result.stderr
    result = cli("config", "remove", "globex", input="n\n", tty=("stdin",))
    assert result.exit_code == 2
    assert (home / "config.toml").read_bytes() == before
    result = cli("config", "remove", "globex", input="y\n", tty=("stdin",))
    assert result.exit_code == 0, result.stderr
    assert "globex" not in read_config(home)["profiles"]


@pytest.mark.parametrize("name", ["ghost", "../acme", "."])
def test_remove_refuses_a_profile_that_is_not_there(cli, home, name):
    write_config(home, ACME)
    (home / "state" / "profiles" / "acme").mkdir(parents=True)
    result = cli("config", "remove", name, "--yes")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no profile named")
    assert (home / "state" / "profiles" / "acme").is_dir()


# --- config profiles / use -----------------------------------------------------------


def test_profiles_lists_with_the_default_marked(cli, home):
    write_config(home, ACME)
    result = cli("config", "profiles")
    assert result.exit_code == 0
    assert result.stdout == (
        "* acme\trep@acme.example\thttps://api.close.com/api/v1/\n  globex\t-\thttps://globex.example.com/api/v1/\n"
    )
    assert KEY not in result.output


def test_profiles_json(cli, home):
    write_config(home, ACME)
    assert json.loads(cli("config", "profiles", "--json").stdout) == [
        {
            "name": "acme",
            "default": True,
            "user_email": "rep@acme.example",
            "base_url": "https://api.close.com/api/v1/",
        },
        {"name": "globex", "default": False, "user_email": None, "base_url": "https://globex.example.com/api/v1/"},
    ]


def test_profiles_when_there_are_none(cli, home):
    result = cli("config", "profiles")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "closetask config init" in result.stderr
    assert json.loads(cli("config", "profiles", "--json").stdout) == []


def test_use_changes_the_default(cli, home, monkeypatch):
    monkeypatch.delenv("CLOSETASK_TZ")
    write_config(home, ACME)
    result = cli("config", "use", "globex")
    assert result.exit_code == 0
    assert read_config(home)["default_profile"] == "globex"
    assert stat.S_IMODE((home / "config.toml").stat().st_mode) == 0o600
    assert json.loads(cli("config", "show", "--json").stdout)["profile"] == "globex"


def test_use_unknown_profile_names_the_profiles(cli, home):
    write_config(home, ACME)
    before = (home / "config.toml").read_bytes()
    result = cli("config", "use", "initech")
    assert result.exit_code == 2  # bad input, not a broken file or a key
    assert "initech" in result.stderr and "acme, globex" in result.stderr
    assert (home / "config.toml").read_bytes() == before


# --- whoami and the missing key ------------------------------------------------------


def test_whoami_text_with_the_offset_in_force(cli, fake_cli, home, monkeypatch):
    monkeypatch.delenv("CLOSETASK_TZ")
    write_config(home, ACME)
    fake_cli.on("GET", "me/", respond(200, ME))

    result = cli("whoami")  # CLOSETASK_NOW is in November: Los Angeles is at -8

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"Rita Rep <rep@example.com> ({ME['id']})\n"
        "organization: Acme Corp\n"
        "profile: acme  (https://api.close.com/api/v1/)\n"
        "time zone: America/Los_Angeles, UTC offset now -8\n"
    )
    [request] = fake_cli.requests
    assert request.headers["X-TZ-Offset"] == "-8"
    assert request.headers["Authorization"] == basic(KEY)


def test_whoami_json_in_summer(cli, fake_cli, home, monkeypatch):
    monkeypatch.delenv("CLOSETASK_TZ")
    monkeypatch.setenv("CLOSETASK_NOW", "2026-07-01T18:00:00+00:00")
    write_config(home, ACME)
    fake_cli.on("GET", "me/", respond(200, ME))

    result = cli("whoami", "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "user_id": ME["id"],
        "email": "rep@example.com",
        "name": "Rita Rep",
        "organizations": [{"id": "orga_1", "name": "Acme Corp"}],
        "profile": "acme",
        "base_url": "https://api.close.com/api/v1/",
        "timezone": "America/Los_Angeles",
        "tz_offset": "-7",
    }
    assert fake_cli.requests[0].headers["X-TZ-Offset"] == "-7"


@pytest.mark.parametrize(("tz", "offset"), [("-8", "-8"), ("-2.5", "-2.5"), ("0", "0"), ("5.5", "5.5"), ("13", "13")])
def test_whoami_with_env_key_and_offset(cli, fake_cli, home, tz, offset):
    fake_cli.on("GET", "me/", respond(200, ME))
    result = cli("whoami", "--json", env={"CLOSE_API_KEY": OTHER_KEY, "CLOSETASK_TZ": tz})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tz_offset"] == offset
    assert fake_cli.requests[0].headers["X-TZ-Offset"] == offset
    assert fake_cli.requests[0].headers["Authorization"] == basic(OTHER_KEY)
    assert OTHER_KEY not in result.output


@pytest.mark.parametrize("args", [("whoami",), ("whoami", "--json")])
def test_no_key_exits_4_and_says_how_to_get_one(cli, fake_cli, home, args):
    result = cli(*args)
    assert result.exit_code == 4
    assert result.stdout == ""
    for needle in ("closetask config init", "CLOSE_API_KEY", "--sandbox"):
        assert needle in result.stderr
    assert fake_cli.requests == []
    assert_no_traceback(result)


def test_whoami_with_a_rejected_key_exits_4(cli, fake_cli, home):
    fake_cli.on(
        "GET",
        "me/",
        respond(401, {"error": "The server could not verify that you are authorized to access the URL requested."}),
    )
    result = cli("whoami", env={"CLOSE_API_KEY": KEY})
    assert result.exit_code == 4
    assert "could not verify" in result.stderr
    assert KEY not in result.output


def test_init_base_url_flag_wins_over_environment(cli, fake_cli, home):
    fake_cli.on("GET", "me/", respond(200, ME))
    result = cli(
        "config",
        "init",
        "--api-key-stdin",
        "--base-url",
        "https://eu.close.example/api/v1/",
        "--timezone",
        "UTC",
        input=KEY,
        env={"CLOSETASK_BASE_URL": "http://127.0.0.1:8123/api/v1/"},
    )
    assert result.exit_code == 0, result.stderr
    assert str(fake_cli.requests[0].url) == "https://eu.close.example/api/v1/me/"


def test_init_uses_the_environment_base_url_without_a_flag(cli, fake_cli, home):
    fake_cli.on("GET", "me/", respond(200, ME))
    result = cli(
        "config",
        "init",
        "--api-key-stdin",
        "--timezone",
        "UTC",
        input=KEY,
        env={"CLOSETASK_BASE_URL": "http://127.0.0.1:8123/api/v1/"},
    )
    assert result.exit_code == 0, result.stderr
    assert str(fake_cli.requests[0].url) == "http://127.0.0.1:8123/api/v1/me/"


def test_init_refuses_a_bad_profile_name_before_asking(cli, fake_cli, home):
    result = cli("config", "init", "--profile", "../etc", "--api-key-stdin", input=KEY)
    assert result.exit_code == 2  # bad input, not a broken file or a key
    assert "invalid profile name" in result.stderr
    assert fake_cli.requests == []
    assert not (home / "config.toml").exists()


def test_init_answer_without_a_user_writes_nothing(cli, fake_cli, home):
    fake_cli.on("GET", "me/", respond(200, {"data": []}))
    result = cli("config", "init", "--api-key-stdin", "--timezone", "UTC", input=KEY)
    assert result.exit_code == 4
    assert "base URL" in result.stderr
    assert not (home / "config.toml").exists()
