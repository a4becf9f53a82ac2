"""`closetask open`: each task's lead page in Close, in the browser (or printed)."""

from __future__ import annotations

from typing import Annotated

import typer

from closetask.cli.lazy_group import command_app
from closetask.cli.options import RefsArg


def open_(
    ctx: typer.Context,
    refs: RefsArg,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the addresses, one a line, instead of opening them.")
    ] = False,
) -> None:
    """Open each task's lead in Close in the browser (https://app.close.com/lead/<lead_id>/).

    A lead named by several tasks opens once. With --print, or when stdout is not a
    terminal, the addresses are printed instead and nothing is launched.

    Example: closetask open 2 --print
    """
    from closetask.cli import task_changes as tc
    from closetask.core.changes import fetch_tasks
    from closetask.core.refs import lead_address
    from closetask.errors import ClosetaskError

    app = tc.app_context(ctx)
    ids = tc.task_ids(app, refs)
    tasks = fetch_tasks(app.client(), ids, ["id", "lead_id", "lead_name"])
    without = [i for i in ids if not tasks[i].get("lead_id")]
    addresses = list(dict.fromkeys(lead_address(str(tasks[i]["lead_id"])) for i in ids if i not in without))
    if print_only or not app.stdout_isatty:
        for address in addresses:
            print(address, file=app.env.output)
    else:
        import webbrowser

        for address in addresses:
            if not webbrowser.open(address):
                raise ClosetaskError(f"no browser to open {address}", hint="closetask open --print prints the address")
            app.notify(f"Opened {address}")
    if without:
        raise ClosetaskError(f"{', '.join(without)}: no lead on this task, so no page to open")


# Looked up by the root group only when `open` runs (cli/lazy_group.py).
commands = command_app()
commands.command("open")(open_)
