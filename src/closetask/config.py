"""Profiles and settings: where the files live, how they are read and written, and precedence.

Precedence, for every setting: command-line flag > environment > profile > default.
The file (`config.toml`) holds `default_profile = "NAME"` and one `[profiles.NAME]` table per
Close organization.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from closetask.errors import ClosetaskError, ConfigError, UsageError

if TYPE_CHECKING:
    from closetask.core.timezone import TimeZone

APP_NAME = "closetask"
DEFAULT_BASE_URL = "https://api.close.com/api/v1/"
DEFAULT_PROFILE = "default"
SANDBOX_PROFILE = "sandbox"
SANDBOX_BASE_URL = "http://sandbox.local/api/v1/"

ENV_HOME = "CLOSETASK_HOME"
ENV_API_KEY = "CLOSE_API_KEY"
ENV_PROFILE = "CLOSETASK_PROFILE"
ENV_BASE_URL = "CLOSETASK_BASE_URL"
ENV_TZ = "CLOSETASK_TZ"

# Keys a profile may hold, with the validator `config set` runs on each.
PROFILE_KEYS = (
    "api_key",
    "api_key_command",
    "timezone",
    "tz_offset",
    "base_url",
    "user_id",
    "user_email",
    "page_size",
    "timeout",
    "concurrency",
    "eod",
    "refresh",
)
_NUMBER_LIMITS = {
    "page_size": (1, 1000),
    "concurrency": (1, 8),
    "timeout": (0, 600),
    "refresh": (0, 86400),
}  # timeout: > 0
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


# --- where things live ----------------------------------------------------------------


def _home(environ: Mapping[str, str] | None = None) -> Path | None:
    home = (os.environ if environ is None else environ).get(ENV_HOME)
    return Path(home).expanduser() if home else None


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """CLOSETASK_HOME, else the platform's config directory (`environ`: os.environ by default)."""
    home = _home(environ)
    if home:
        return home
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the sandbox database lives."""
    home = _home(environ)
    if home:
        return home / "data"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the undo journal, row refs, caches and the bulk lock live."""
    home = _home(environ)
    if home:
        return home / "state"
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where caches live (the organization's users, the key's user): safe to delete."""
    home = _home(environ)
    if home:
        return home / "cache"
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    return config_dir(environ) / "config.toml"


# --- reading and writing the file -----------------------------------------------------


def load_file(path: Path | None = None) -> dict[str, Any]:
    """Read config.toml; a missing file is an empty config, a broken one exits 4."""
    import tomllib

    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already says "(at line N, column M)".
        raise ConfigError(
            f"config file {path} is not valid TOML: {exc}",
            hint="fix it by hand or move it away and run `closetask config init`",
        ) from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
        raise ConfigError(f"config file {path}: [profiles.NAME] must be tables")
    return data


def readable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def write_atomic(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never half.

    The temporary file is a new one (mkstemp: O_EXCL, mode 0600 from the start; a stale or
    planted file of the same name is never reused), so the key is never readable by others, not
    even for a moment; its unique name lets two writers in one process not collide.
    """
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_file(data: Mapping[str, Any], path: Path | None = None) -> Path:
    import tomli_w

    from closetask.errors import StateError

    path = path or config_path()
    try:
        write_atomic(path, tomli_w.dumps(_drop_none(data)))
    except OSError as exc:  # a read-only or full disk: the old file is left as it was
        raise StateError("write the config file", path, exc, after="; it is left as it was") from exc
    return path


def _drop_none(obj: Any) -> Any:
    # TOML has no null; a setting set to None is a setting removed.
    if isinstance(obj, Mapping):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    return obj


# --- validation -----------------------------------------------------------------------


def validate_profile_name(name: str, *, error: type[ClosetaskError] = UsageError) -> str:
    """A profile name from the command line or environment (UsageError) or the file (`error`)."""
    if not _PROFILE_NAME.match(name):
        raise error(f"invalid profile name {name!r}: use letters, digits, '.', '_' or '-'")
    return name


def is_loopback(host: str) -> bool:
    import ipaddress

    # Only `localhost`, 127.0.0.0/8 and ::1: a name like `x.localhost` is loopback by RFC 6761,
    # but whether it resolves so is up to the machine's resolver (or /etc/hosts).
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str, *, error: type[ClosetaskError] = UsageError) -> str:
    """Accept https anywhere and plain http only to loopback: the key travels in every request.
    `error`: UsageError for a value typed or set in the environment, ConfigError for the file's."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise error(f"invalid base URL {url!r}: expected https://HOST/api/v1/")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise error(
            f"refusing plain http:// to {parts.hostname}: the API key would travel unencrypted; "
            "use https:// (http is allowed only to loopback, e.g. closetask sandbox serve)"
        )
    url = url.strip()
    return url if url.endswith("/") else url + "/"


def validate_setting(key: str, value: str) -> Any:
    """Parse and check `closetask config set KEY VALUE`; returns the value to store."""
    from closetask.core.timezone import TimeZone

    if key not in PROFILE_KEYS:
        raise UsageError(f"unknown setting {key!r}; settable: {', '.join(PROFILE_KEYS)}")
    value = value.strip()
    if key == "api_key":
        if not value or any(c.isspace() for c in value):
            raise UsageError("api_key must be a non-empty string without spaces")
        return value
    if key == "api_key_command":
        from closetask import key_command

        try:
            key_command.split(value)
        except ValueError as exc:
            raise UsageError(f"invalid api_key_command: {exc}") from None
        return value
    if key == "timezone":
        try:
            tz = TimeZone.parse(value)
        except ValueError as exc:
            raise UsageError(f"invalid timezone: {exc}") from None
        if tz.key is None:
            raise UsageError("timezone takes an IANA name such as America/New_York; for a fixed offset use tz_offset")
        return tz.key
    if key == "tz_offset":
        try:
            tz = TimeZone.parse(value)
        except ValueError as exc:
            raise UsageError(f"invalid tz_offset: {exc}") from None
        if tz.hours is None:
            raise UsageError("tz_offset takes hours such as -8 or 5.5; for a zone name use timezone")
        return tz.hours
    if key == "base_url":
        return validate_base_url(value)
    if key in _NUMBER_LIMITS:
        return check_number(key, value, where="", error=UsageError)
    if key == "eod":
        return check_eod(value, where="", error=UsageError)
    return value  # user_id, user_email: cached facts, stored as given


def check_number(key: str, value: Any, *, where: str, error: type[ClosetaskError] = ConfigError) -> int | float:
    """page_size and concurrency: whole numbers in range; timeout: seconds in (0, 600].
    `value` is what `config set` was given (`error` UsageError) or what the file holds
    (ConfigError); the error names it."""
    low, high = _NUMBER_LIMITS[key]
    kind = float if key == "timeout" else int
    what = f"a number of seconds between {low} and {high}" if kind is float else f"a whole number from {low} to {high}"
    try:
        number = kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise error(f"{where}{key} must be a number, not {value!r}") from None
    if (
        isinstance(value, bool)
        or (kind is int and isinstance(value, float) and not value.is_integer())
        or not (low < number <= high if kind is float else low <= number <= high)
    ):
        raise error(f"{where}{key} must be {what}, not {value!r}")
    return number


DEFAULT_EOD = "17:00"
_EOD_RE = re.compile(r"^(\d{1,2}):(\d{2})$", re.ASCII)


def check_eod(value: Any, *, where: str, error: type[ClosetaskError] = ConfigError) -> str:
    """eod (the time the WHEN `eod` stands for): 24-hour HH:MM, stored as such. `error` as
    for check_number: UsageError for what `config set` was given, ConfigError for the file."""
    match = _EOD_RE.match(value.strip()) if isinstance(value, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise error(f"{where}eod must be a 24-hour time such as 17:00 or 18:30, not {value!r}")
    return f"{int(match[1]):02d}:{match[2]}"


# --- resolved settings ----------------------------------------------------------------


@dataclass
class Settings:
    """Everything a command needs to talk to Close, resolved with precedence applied."""

    profile: str
    api_key: str | None
    base_url: str
    timezone: Any  # closetask.core.timezone.TimeZone
    sandbox: bool = False
    user_id: str | None = None
    user_email: str | None = None
    # A command printing the key (`pass show close/acme`), run when the key is first needed
    # (key_command.py); set only when neither CLOSE_API_KEY nor the profile's api_key is.
    api_key_command: str | None = None
    page_size: int = 100
    timeout: float = 30.0
    # Pages fetched at once; None when the profile does not say: views then fetch one page
    # at a time (exactly one request a page) and bulk's selection four (see cli/bulk.py).
    concurrency: int | None = None
    eod: str = DEFAULT_EOD  # HH:MM: what the WHEN `eod` means
    refresh: int = 60  # seconds between triage's own refreshes; 0: only on ctrl+r
    sources: dict[str, str] = field(default_factory=dict)  # setting -> where it came from


def choose_profile(flag: str | None, env: Mapping[str, str], data: Mapping[str, Any]) -> tuple[str, str]:
    """The profile's name and where it came from: --profile > CLOSETASK_PROFILE > the file's
    default_profile > "default". The one place this order is written."""
    for value, source in (
        (flag, "--profile"),
        (env.get(ENV_PROFILE), ENV_PROFILE),
        (data.get("default_profile"), "config file"),
    ):
        if value:
            return str(value), source
    return DEFAULT_PROFILE, "default"


def _timezone(env: Mapping[str, str], prof: Mapping[str, Any], name: str) -> tuple[TimeZone, str]:
    """CLOSETASK_TZ > the profile's timezone > its tz_offset > this machine's zone."""
    from closetask.core.timezone import TimeZone

    tz_text = env.get(ENV_TZ)
    try:
        if tz_text:
            return TimeZone.parse(tz_text), ENV_TZ
        if prof.get("timezone"):
            return TimeZone.parse(str(prof["timezone"])), f"profile {name}"
        if prof.get("tz_offset") is not None:
            return TimeZone.parse(str(prof["tz_offset"])), f"profile {name}"
        return TimeZone.local(), "this machine"
    except ValueError as exc:
        if tz_text:  # set for this command: bad input, not a broken file
            raise UsageError(f"invalid time zone in {ENV_TZ}: {exc}") from None
        raise ConfigError(f"invalid time zone in profile {name} in {config_path(env)}: {exc}") from None


def resolve(
    *,
    profile: str | None = None,
    sandbox: bool = False,
    env: Mapping[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
) -> Settings:
    """Apply flag > environment > profile > default to every setting."""
    env = os.environ if env is None else env
    data = load_file(config_path(env)) if data is None else data
    sources: dict[str, str] = {}

    name, sources["profile"] = choose_profile(profile, env, data)
    profiles = data.get("profiles", {})
    # A profile asked for by name (flag or environment) must exist: silently using an empty
    # one would end in a confusing "no API key" instead.
    if sources["profile"] in ("--profile", ENV_PROFILE) and name not in profiles and not sandbox:
        known = ", ".join(sorted(profiles)) or "none yet"
        raise UsageError(
            f"no profile named {name!r} ({sources['profile']}; profiles: {known})",
            hint=f"create it with `closetask config init --profile {name}`",
        )
    prof: Mapping[str, Any] = profiles.get(name, {})

    def pick(key: str, env_name: str | None, default: Any) -> Any:
        if env_name and env.get(env_name):
            sources[key] = env_name
            return env[env_name]
        if prof.get(key) is not None:
            sources[key] = f"profile {name}"
            return prof[key]
        sources[key] = "default"
        return default

    tz, sources["timezone"] = _timezone(env, prof, name)

    def number(key: str, kind: type, default: Any) -> Any:
        # A hand-edited file gets the checks `config set` makes: page_size = 0 would list
        # nothing at all, and a negative timeout would fail every request.
        return check_number(key, prof.get(key, default), where=f"profile {name}: ")

    eod = check_eod(prof["eod"], where=f"profile {name}: ") if prof.get("eod") is not None else DEFAULT_EOD
    sources["eod"] = f"profile {name}" if prof.get("eod") is not None else "default"

    if sandbox:
        sources["profile"] = "--sandbox"
        return Settings(
            profile=SANDBOX_PROFILE,
            api_key=None,  # the embedded sandbox supplies its own key
            base_url=SANDBOX_BASE_URL,
            timezone=tz,
            sandbox=True,
            page_size=number("page_size", int, 100),
            timeout=number("timeout", float, 30.0),
            concurrency=number("concurrency", int, 1) if "concurrency" in prof else None,
            eod=eod,
            refresh=number("refresh", int, 60),
            sources=sources,
        )

    base_url = pick("base_url", ENV_BASE_URL, DEFAULT_BASE_URL)
    api_key = pick("api_key", ENV_API_KEY, None)
    if api_key is not None and not isinstance(api_key, str):
        # `api_key = 12345` without quotes: a TOML number, which httpx cannot send.
        raise ConfigError(f"profile {name}: api_key must be a string in quotes in {config_path(env)}")
    command = prof.get("api_key_command") if api_key is None else None
    if command is not None and not isinstance(command, str):
        raise ConfigError(f"profile {name}: api_key_command must be a string in quotes in {config_path(env)}")
    if command:
        sources["api_key"] = f"profile {name} (api_key_command)"
    return Settings(
        profile=name,
        api_key=api_key,
        api_key_command=command or None,
        base_url=validate_base_url(
            str(base_url), error=UsageError if sources["base_url"] == ENV_BASE_URL else ConfigError
        ),
        timezone=tz,
        user_id=prof.get("user_id") if not env.get(ENV_API_KEY) else None,
        user_email=prof.get("user_email") if not env.get(ENV_API_KEY) else None,
        page_size=number("page_size", int, 100),
        timeout=number("timeout", float, 30.0),
        concurrency=number("concurrency", int, 1) if "concurrency" in prof else None,
        eod=eod,
        refresh=number("refresh", int, 60),
        sources=sources,
    )


def mask_key(key: str | None) -> str:
    """Show only the last 4 characters of a key (none at all when it is short)."""
    if not key:
        return "(not set)"
    if len(key) < 12:
        return "*" * 8
    return "*" * 8 + key[-4:]


def warn_if_exposed(path: Path | None = None) -> str | None:
    """A warning when the config file (which holds keys) is readable by others."""
    path = path or config_path()
    if path.exists() and readable_by_others(path):
        return f"warning: {path} is readable by other users; run: chmod 600 {path}"
    return None
