"""`closetask calendar`: incomplete tasks as an iCalendar file a calendar app can import or follow."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from closetask.cli.filters import (
    AfterOpt,
    AssigneeOpt,
    BeforeOpt,
    ConcurrencyOpt,
    CreatedBeforeOpt,
    CreatedFromOpt,
    FromOpt,
    LeadOpt,
    ToOpt,
    TypeOpt,
)
from closetask.cli.lazy_group import command_app


def calendar(
    ctx: typer.Context,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the calendar to FILE (atomically: a reader sees the old file or the new one); default: stdout.",
            show_default=False,
        ),
    ] = None,
    duration: Annotated[
        int,
        typer.Option("--duration", metavar="MIN", min=1, max=1440, help="Length of a timed task's event, in minutes."),
    ] = 15,
    types: TypeOpt = None,
    assignee: AssigneeOpt = "me",
    lead: LeadOpt = None,
    from_day: FromOpt = None,
    to_day: ToOpt = None,
    after: AfterOpt = None,
    before: BeforeOpt = None,
    created_from: CreatedFromOpt = None,
    created_before: CreatedBeforeOpt = None,
    concurrency: ConcurrencyOpt = None,
) -> None:
    """Write incomplete tasks as an iCalendar file (RFC 5545) for a calendar app.

    Every incomplete task of the inbox and the future views (the usual filters narrow them)
    becomes one event: a date-only task an all-day event, a timed task an event at its time
    lasting --duration minutes. The summary names the type, the lead and what it is about;
    the lead's Close address is the event's URL. Each event's UID comes from its task ID, so
    importing the file again, or a calendar that follows the file, updates events instead of
    adding copies. The file holds lead names: keep it private (it is written with mode 0600).

    Example: closetask calendar -o ~/closetask.ics
    """
    from datetime import timedelta

    from closetask.cli.filters import build_query
    from closetask.config import write_atomic
    from closetask.core.listing import arrange
    from closetask.errors import ClosetaskError
    from closetask.render.ical import calendar_bytes

    app = ctx.obj
    query = build_query(
        app,
        view=None,
        types=types,
        assignee=assignee,
        lead=lead,
        from_day=from_day,
        to_day=to_day,
        after=after,
        before=before,
        created_from=created_from,
        created_before=created_before,
        is_complete=False,
    )
    pages = app.pages(query, concurrency=concurrency)
    tasks = arrange([t for page in pages for t in page], tz=app.tz, today=app.today(), view="future").tasks
    document = calendar_bytes(tasks, duration=timedelta(minutes=duration), stamp=app.env.now())
    if output is None:
        out = app.env.output
        out.write(document.decode("utf-8"))
        out.flush()
        return
    path = output.expanduser()
    try:
        write_atomic(path, document.decode("utf-8"))
    except OSError as exc:
        raise ClosetaskError(
            f"cannot write {path}: {exc.strerror or exc}", hint="the old file, if any, is kept"
        ) from None
    app.notify(f"Wrote {len(tasks)} task{'' if len(tasks) == 1 else 's'} to {path}")


# Looked up by the root group only when `calendar` runs (cli/lazy_group.py).
commands = command_app()
commands.command("calendar")(calendar)
