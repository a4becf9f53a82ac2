"""Aliases: a name for a command line (`calls` = `inbox --type missed_call,voicemail`).

They live in config.toml's `[aliases]` table, for every profile (an alias is a way of working,
not an organization's setting; `--profile` still applies to what it runs). An alias expands to
a closetask command line, split as a shell would (no shell runs it); the words after the alias
are appended. An alias may not shadow a command, and it expands to a command, never to another
alias, so expansion is one step and cannot loop.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Mapping
from typing import Any

from closetask.errors import ConfigError, UsageError

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
TABLE = "aliases"


def read(data: Mapping[str, Any], *, source: str = "config file") -> dict[str, str]:
    """The aliases in a loaded config; a malformed table exits 4 (a broken config file)."""
    table = data.get(TABLE, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f"{source}: [{TABLE}] must map names to command lines (strings)")
    return dict(table)


def known(environ: Mapping[str, str]) -> dict[str, str]:
    """The aliases of the config file `environ` points at; none when there is no file (no TOML
    parser is imported then: `--help` pays nothing) or when it is broken (the command that
    reads the file reports that, not the alias lookup or the root listing)."""
    from closetask import config

    path = config.config_path(environ)
    if not path.exists():
        return {}
    try:
        return read(config.load_file(path))
    except ConfigError:
        return {}


def check(name: str, line: str, commands: Collection[str]) -> list[str]:
    """The expansion's words, after checking `name` and `line` (UsageError, exit 2)."""
    if not NAME.match(name):
        raise UsageError(f"alias name {name!r}: use lowercase letters, digits, - and _, starting with a letter")
    if name in commands:
        raise UsageError(f"{name!r} is a closetask command: an alias may not shadow it")
    words = split(line)
    if not words:
        raise UsageError("an alias needs a command line, e.g. 'inbox --type missed_call,voicemail'")
    if words[0] not in commands:
        raise UsageError(
            f"an alias runs a closetask command, and {words[0]!r} is not one",
            hint="start with a command, e.g. inbox, future, bulk (without `closetask`)",
        )
    return words


def split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:  # an unclosed quote
        raise UsageError(f"cannot split {line!r}: {exc}") from None


def expand(args: list[str], aliases: Mapping[str, str], commands: Collection[str], *, skip: int) -> list[str]:
    """`args` with the alias at position `skip` (the command word) replaced by its words."""
    if skip >= len(args) or args[skip] in commands or args[skip] not in aliases:
        return args
    return [*args[:skip], *split(aliases[args[skip]]), *args[skip + 1 :]]
