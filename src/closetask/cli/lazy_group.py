"""The root command group, click's documented LazyGroup pattern on Typer's public API.

Every command is named up front with the module that holds it and its one-line help
(`COMMANDS` in cli/__init__.py). A command's module is imported, and its Typer app turned
into click with `typer.main.get_command` (Typer's documented bridge to click), only when the
command is looked up: `closetask done 3` never imports the views, bulk or the sandbox, and
`closetask --help` imports none of them. Nothing here reaches into Typer's internals, so a
Typer upgrade has nothing to re-check here.

Each command module keeps its commands on its own small Typer app made by `command_app()`,
with the root's settings (plain click help, no pretty tracebacks). tests/docs and
tests/foundation/test_lazy_group.py check that the one-line helps match the docstrings and
that a run loads only the modules it uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """Where a command lives: `closetask.cli.<module>`, the Typer app attribute holding it
    (a sub-app such as `config` is the group itself), and the root listing's one line."""

    module: str
    attr: str
    help: str


def command_app(**settings: Any) -> typer.Typer:
    """A Typer app for a module's commands, with the root app's settings: plain (click) help,
    which is about 50 ms faster than Rich panels on every --help (bench/startup.py)."""
    return typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False, **settings)


class LazyGroup(TyperGroup):
    """A TyperGroup whose commands are imported on lookup; `lazy` names them in order."""

    lazy: Mapping[str, Lazy] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        spec = self.lazy.get(cmd_name)
        if spec is None:
            return None
        built = typer.main.get_command(getattr(import_module(f"closetask.cli.{spec.module}"), spec.attr))
        command = built
        if isinstance(built, TyperGroup) and cmd_name in built.commands:
            command = built.commands[cmd_name]  # a module's app holding several commands
        command.name = cmd_name
        self.commands[cmd_name] = command
        return command

    def loaded(self) -> list[str]:
        """The commands looked up so far (for tests and the benchmark)."""
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # click's listing, from the one-line helps: `--help` imports no command module.
        rows = [(name, TyperCommand(name, help=spec.help, rich_markup_mode=None)) for name, spec in self.lazy.items()]
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])
