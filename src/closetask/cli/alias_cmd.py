"""`closetask alias ...`: name the command lines you run often (stored in config.toml)."""

from __future__ import annotations

from typing import Annotated

import typer

from closetask.cli import options as opt
from closetask.cli.lazy_group import command_app

app = command_app(
    help=(
        "Name a command line you run often: closetask calls runs it.\n\n"
        "Aliases live in config.toml's [aliases] table and work with every profile; the words\n"
        "after an alias are appended (closetask calls --json). An alias runs a closetask command,\n"
        "never a shell, and may not shadow a command.\n\n"
        "Example: closetask alias set calls 'inbox --type missed_call,voicemail'"
    ),
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The alias: lowercase letters, digits, - and _.")]


def _file(ctx: typer.Context):
    from closetask import config

    return config.config_path(ctx.obj.env.environ)


@app.command("set")
def set_alias(
    ctx: typer.Context,
    name: NameArg,
    line: Annotated[
        str,
        typer.Argument(
            metavar="COMMAND", help="The command line it runs, without `closetask`, quoted as one argument."
        ),
    ],
) -> None:
    """Define (or redefine) an alias.

    Example: closetask alias set calls 'inbox --type missed_call,voicemail'
    """
    from closetask import aliases, config
    from closetask.cli import COMMANDS

    words = aliases.check(name, line, COMMANDS)
    data = config.load_file(_file(ctx))
    table = aliases.read(data)
    was = table.get(name)
    table[name] = " ".join(_quote(w) for w in words)
    data[aliases.TABLE] = dict(sorted(table.items()))
    config.save_file(data, _file(ctx))
    verb = "redefined" if was is not None else "defined"
    ctx.obj.notify(f"alias {verb}: closetask {name} runs closetask {table[name]}")


@app.command("list")
def list_aliases(ctx: typer.Context, as_json: opt.JsonInfoOpt = False) -> None:
    """List the aliases: NAME<TAB>COMMAND per line (an object with --json).

    Example: closetask alias list
    """
    from closetask import aliases, config
    from closetask.render.machine import write_document

    table = aliases.read(config.load_file(_file(ctx)))
    out = ctx.obj.env.output
    if as_json:
        write_document(dict(sorted(table.items())), out=out)
        return
    if not table:
        ctx.obj.notify("no aliases yet: closetask alias set NAME 'COMMAND ...'")
        return
    for name, line in sorted(table.items()):
        out.write(f"{name}\t{line}\n")


@app.command("delete")
def delete_alias(ctx: typer.Context, name: NameArg) -> None:
    """Delete an alias.

    Example: closetask alias delete calls
    """
    from closetask import aliases, config
    from closetask.errors import UsageError

    data = config.load_file(_file(ctx))
    table = aliases.read(data)
    if name not in table:
        known = ", ".join(sorted(table)) or "none yet"
        raise UsageError(f"no alias named {name!r} (aliases: {known})")
    del table[name]
    data[aliases.TABLE] = table
    config.save_file(data, _file(ctx))
    ctx.obj.notify(f"alias deleted: {name}")


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)
