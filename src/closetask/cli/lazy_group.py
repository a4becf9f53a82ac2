"""The click command tree, built one command at a time as a run needs it.

Typer's `get_command(app)` converts every command's signature into click parameters up
front (`typing.get_type_hints` on string annotations, `inspect.signature`). For closetask's
~25 commands that was most of `closetask --help`'s own time, paid again by `--version`, by
every cron job and on every <TAB>. `build()` keeps Typer's registrations and converts a
command only when it is looked up; the `--help` listing reads docstrings alone.

What gets built is what Typer builds (same functions, same classes), so parsing, help and
errors are Typer's own. tests/foundation/test_lazy_group.py compares the two trees.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator, MutableMapping
from typing import Any, Union

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import (
    get_command,
    get_command_from_info,
    get_command_name,
    get_group_from_info,
    solve_typer_info_defaults,
)
from typer.models import CommandInfo, DefaultPlaceholder, TyperInfo

Info = Union[CommandInfo, TyperInfo]


def build(app: typer.Typer) -> TyperCommand | TyperGroup | Any:
    """The root click group of `app`: its callback's options (and the completion options)
    are built now, its commands on demand."""
    settings = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
        "suggest_commands": app.suggest_commands,
    }
    root = get_command(_bare(app))
    if not isinstance(root, LazyGroup):  # the app names its own group class
        return get_command(app)
    root.commands = LazyCommands(_registrations(app, settings), settings)
    return root


class LazyGroup(TyperGroup):
    """A TyperGroup whose `commands` are a LazyCommands."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names only: TyperGroup's reads every value

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # TyperGroup.format_commands, reading short help from stand-ins when the command
        # itself has not been built.
        commands: Any = self.commands
        rows = [(name, commands.preview(name)) for name in self.list_commands(ctx)]
        rows = [(name, cmd) for name, cmd in rows if cmd is not None and not cmd.hidden]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])


class LazyCommands(MutableMapping):
    """name -> click command, converted from its Typer registration on first access."""

    def __init__(self, infos: dict[str, Any], settings: dict[str, Any]) -> None:
        self._infos = infos  # a registration, or a command already built
        self._settings = settings

    def __getitem__(self, name: str) -> Any:
        entry = self._infos[name]  # KeyError for an unknown name, as a dict
        if isinstance(entry, (CommandInfo, TyperInfo)):
            entry = self._infos[name] = _convert(entry, self._settings)
        return entry

    def __setitem__(self, name: str, command: Any) -> None:
        self._infos[name] = command

    def __delitem__(self, name: str) -> None:
        del self._infos[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def built(self) -> list[str]:
        """The names converted so far (for tests and the benchmark)."""
        return [n for n, e in self._infos.items() if not isinstance(e, (CommandInfo, TyperInfo))]

    def preview(self, name: str) -> Any:
        """The command if built, else a parameterless stand-in with its help texts."""
        entry = self._infos.get(name)
        if isinstance(entry, (CommandInfo, TyperInfo)):
            return _stand_in(name, entry, self._settings)
        return entry


def _bare(app: typer.Typer) -> typer.Typer:
    """A copy of `app` with its callback and settings but no commands, whose group class
    is LazyGroup unless the app sets one."""
    shell = copy.copy(app)
    shell.registered_commands = []
    shell.registered_groups = []
    shell.info = copy.copy(app.info)
    if shell.info.cls is None or isinstance(shell.info.cls, DefaultPlaceholder):
        shell.info.cls = LazyGroup
    return shell


def _registrations(app: typer.Typer, settings: dict[str, Any]) -> dict[str, Any]:
    """Command name -> registration, in the order Typer's group lists them (commands, then
    sub-apps; a later registration of a name replaces an earlier one in place)."""
    infos: dict[str, Any] = {}
    for command in app.registered_commands:
        infos[command.name or get_command_name(command.callback.__name__)] = command  # type: ignore[union-attr]  # a registered command always has its callback
    for group in app.registered_groups:
        name = solve_typer_info_defaults(group).name
        if name:
            infos[name] = group
        else:  # a sub-app added without a name lends its commands: built now, as Typer does
            infos.update(get_group_from_info(group, **settings).commands)
    return infos


def _convert(info: Info, settings: dict[str, Any]) -> Any:
    if isinstance(info, CommandInfo):
        return get_command_from_info(
            info,
            pretty_exceptions_short=settings["pretty_exceptions_short"],
            rich_markup_mode=settings["rich_markup_mode"],
        )
    sub_app = info.typer_instance
    lazy = copy.copy(info)
    lazy.typer_instance = _bare(sub_app)  # type: ignore[arg-type]  # a sub-app's info always holds its Typer
    group = get_group_from_info(lazy, **settings)
    if not isinstance(group, LazyGroup):  # the sub-app names its own group class
        return get_group_from_info(info, **settings)
    group.commands = LazyCommands(_registrations(sub_app, settings), settings)  # type: ignore[arg-type]  # as above
    return group


def _stand_in(name: str, info: Info, settings: dict[str, Any]) -> Any:
    """What a listing reads of a command (help, short help, hidden, deprecated), computed
    as get_command_from_info / get_group_from_info compute it."""
    if isinstance(info, CommandInfo):
        return TyperCommand(
            name=name,
            help=inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help),
            short_help=info.short_help,
            hidden=info.hidden,
            deprecated=info.deprecated,
            rich_markup_mode=settings["rich_markup_mode"],
        )
    solved = solve_typer_info_defaults(info)
    return TyperGroup(
        name=name,
        help=solved.help,
        short_help=solved.short_help,
        hidden=solved.hidden,
        deprecated=solved.deprecated,
        rich_markup_mode=settings["rich_markup_mode"],
    )
