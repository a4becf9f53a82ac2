"""A profile's `api_key_command`: the key kept in a password manager (`pass show close/acme`,
`op read op://Work/Close/credential`) instead of config.toml.

The command is split as a shell would (shlex) and run without a shell, at most once per
process, with a time-out; the key is its stripped stdout. The key lives in memory only:
never written to disk, logged or put in a message; a failure is one line that does not
repeat what the command printed (it may be half a secret).
"""

from __future__ import annotations

import shlex

from closetask.errors import ConfigError

TIMEOUT = 30.0  # seconds: long enough for a password manager's unlock prompt

_keys: dict[str, str] = {}  # command -> key, for this process only


def split(command: str) -> list[str]:
    """The command's words, as a shell would split them; ValueError when it cannot be split."""
    words = shlex.split(command)
    if not words:
        raise ValueError("api_key_command is empty")
    return words


def run(command: str, *, profile: str) -> str:
    """The key `command` prints (run once per process); ConfigError (exit 4: no key) when it fails."""
    if command in _keys:
        return _keys[command]
    import subprocess

    timeout = TIMEOUT
    where = f"api_key_command of profile {profile}"
    try:
        words = split(command)
    except ValueError as exc:
        raise ConfigError(f"{where} cannot be split into words: {exc}") from None
    try:
        # stdin is not the command's: `closetask done -` reads REFs from it. stderr is kept
        # too, so that nothing the command prints reaches the screen or a log.
        proc = subprocess.run(
            words,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"{where}: {words[0]!r} not found", hint=_HINT) from None
    except PermissionError:
        raise ConfigError(f"{where}: {words[0]!r} cannot be run (permission denied)", hint=_HINT) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where} did not finish within {timeout:g} s", hint=_HINT) from None
    except OSError as exc:
        raise ConfigError(f"{where} could not be run: {exc.strerror or type(exc).__name__}", hint=_HINT) from None
    if proc.returncode != 0:
        raise ConfigError(f"{where} failed (exit {proc.returncode})", hint=_HINT)
    try:
        key = proc.stdout.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{where} printed something that is not text", hint=_HINT) from None
    if not key:
        raise ConfigError(f"{where} printed no key", hint=_HINT)
    if any(c.isspace() for c in key):
        raise ConfigError(f"{where} printed more than one word; it must print the key alone", hint=_HINT)
    _keys[command] = key
    return key


_HINT = "run the command yourself to see why, or change it: closetask config set api_key_command '...'"
