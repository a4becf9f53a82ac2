"""Acting on one task or a handful: add, done, reopen, reassign, edit, snooze, show, delete.

Every change is journaled before it is sent (`closetask undo` reverts it); several tasks go
in bulk `PUT /task/?id__in=...&_type=all` requests, chunked, never one request per task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from closetask.cli.lazy_group import command_app
from closetask.cli.options import AssignToOpt, DryRunOpt, ForceOpt, JsonOpt, RefArg, RefsArg
from closetask.cli.when_args import WhenLastCommand, reads_as_when

if TYPE_CHECKING:
    from closetask.session import Session


def add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to do, e.g. 'Call about the renewal'.", show_default=False)],
    lead: Annotated[
        str, typer.Option("--lead", "-l", help="Lead ID (lead_...) or Close lead address.", show_default=False)
    ],
    date: Annotated[
        Optional[str],
        typer.Option(
            "--date",
            "-d",
            help="WHEN: a day (tomorrow, fri, +3d) or a day with a time (fri 14:30).",
            show_default=False,
        ),
    ] = None,
    assign_to: AssignToOpt = None,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Create a lead task and print its ID.

    A day alone makes a date-only task; a day with a time makes a timed one. Without
    --assign-to the task is the key's user's.

    Example: closetask add "Send the proposal" --lead lead_abc123DEF456ghi789 --date "fri 10am"
    """
    from closetask.cli import task_changes as tc
    from closetask.close.tasks import TASKS
    from closetask.core.apply import create
    from closetask.core.changes import PlannedRequest
    from closetask.core.refs import parse_lead_ref
    from closetask.errors import UsageError
    from closetask.render.report import Report, emit
    from closetask.render.task_detail import task_label, when_text

    app = tc.app_context(ctx)
    if not text.strip():
        raise UsageError("the task text is empty: say what is to be done")
    body: dict[str, object] = {"lead_id": parse_lead_ref(lead), "text": text}
    if date is not None:
        body["date"] = _when(app, date)
    if assign_to is not None:
        body["assigned_to"] = app.resolve_user(assign_to, assigning=True)
    request = PlannedRequest("POST", TASKS, body=body)
    if dry_run:
        tc.print_requests(app, [request])
        return
    command = tc.command_line(
        "add",
        text,
        "--lead",
        lead,
        *(("--date", date) if date else ()),
        *(("--assign-to", assign_to) if assign_to else ()),
    )
    with tc.change_lock(app, command):
        task = create(app.client(), tc.journal(app), command=command, request=request)
    report = Report(data=task, plain=task["id"])
    report.note(f"Added task {task_label(task)} for {when_text(task.get('date'), app.tz)}").note(tc.undo_hint(app))
    emit(report, json_out=json_out, notify=app.notify, out=app.env.output)


def done(
    ctx: typer.Context, refs: RefsArg, json_out: JsonOpt = False, dry_run: DryRunOpt = False, force: ForceOpt = False
) -> None:
    """Mark tasks complete.

    Example: closetask done 2 5
    """
    _set_complete(ctx, "done", refs, True, json_out, dry_run, force)


def reopen(
    ctx: typer.Context, refs: RefsArg, json_out: JsonOpt = False, dry_run: DryRunOpt = False, force: ForceOpt = False
) -> None:
    """Mark tasks incomplete again.

    Example: closetask reopen task_abc123DEF456ghi789jkl
    """
    _set_complete(ctx, "reopen", refs, False, json_out, dry_run, force)


def _set_complete(
    ctx: typer.Context, name: str, refs: list[str], value: bool, json_out: bool, dry_run: bool, force: bool
) -> None:
    from closetask.cli import task_changes as tc
    from closetask.cli import task_updates

    app = tc.app_context(ctx)
    task_updates.set_complete(
        app,
        tc.task_ids(app, refs),
        value,
        command=tc.command_line(name, refs),
        json_out=json_out,
        dry_run=dry_run,
        force=force,
    )


def reassign(
    ctx: typer.Context,
    refs: RefsArg,
    assign_to: AssignToOpt = None,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    old_to: Annotated[
        Optional[str], typer.Option("--to", "-t", hidden=True, help="Old spelling of --assign-to.")
    ] = None,
) -> None:
    """Assign tasks to another user of the organization.

    Example: closetask reassign 1 3 --assign-to jane@example.com
    """
    from closetask.cli import task_changes as tc
    from closetask.cli import task_updates
    from closetask.cli.filters import merge_alias
    from closetask.errors import UsageError

    app = tc.app_context(ctx)
    to = merge_alias(assign_to, old_to, "--assign-to", "--to")
    if to is None:
        raise UsageError("reassign needs --assign-to WHO: me, a user's email, or a user ID")
    task_updates.reassign(
        app,
        tc.task_ids(app, refs),
        to,
        command=tc.command_line("reassign", refs, "--assign-to", to),
        json_out=json_out,
        dry_run=dry_run,
        force=force,
    )


AllDayOpt = Annotated[
    bool,
    typer.Option("--all-day", help="Make the task date-only: a day alone no longer keeps a timed task's time of day."),
]


def snooze(
    ctx: typer.Context,
    refs: RefsArg,
    when: Annotated[
        str,
        typer.Argument(
            metavar="WHEN",
            help="New date: tomorrow, next fri, -2w, dec 4, +2h, eod, 'fri 9am' (quote a time). See: closetask help dates.",
            show_default=False,
        ),
    ],
    all_day: AllDayOpt = False,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
) -> None:
    """Move tasks to another day (or day and time); a timed task keeps its time of day.

    A day alone (fri, +1d, dec 4) moves a 14:00 call to 14:00 on that day; --all-day makes
    it date-only. Negative offsets need no quoting: closetask snooze 3 -2w.

    Example: closetask snooze 1 4 mon
    """
    from closetask.cli import task_changes as tc
    from closetask.cli import task_updates
    from closetask.errors import UsageError

    app = tc.app_context(ctx)
    parsed = tc.parse_when(app, when)
    try:
        ids = tc.task_ids(app, refs)
    except UsageError as exc:
        # `snooze 2 tomorrow 9am`: "tomorrow" was taken for a REF. Say so only when a REF
        # that failed reads as a WHEN; a pasted lead ID needs no advice about quotes.
        if not any(reads_as_when(app, ref) for ref in refs):
            raise
        raise UsageError(
            exc.message, hint="a WHEN with a space goes in quotes: closetask snooze 2 'tomorrow 9am'"
        ) from None
    task_updates.snooze(
        app,
        ids,
        parsed,
        command=tc.command_line("snooze", refs, when, *(("--all-day",) if all_day else ())),
        all_day=all_day,
        json_out=json_out,
        dry_run=dry_run,
        force=force,
    )


def edit(
    ctx: typer.Context,
    ref: RefArg,
    text: Annotated[
        Optional[str], typer.Option("--text", help="New text (lead tasks only).", show_default=False)
    ] = None,
    date: Annotated[
        Optional[str],
        typer.Option(
            "--date",
            "-d",
            help="New WHEN: a day (keeps a timed task's time of day), or a day with a time.",
            show_default=False,
        ),
    ] = None,
    all_day: AllDayOpt = False,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
) -> None:
    """Change one task's text or date.

    Example: closetask edit 3 --text "Call about the renewal" --date "mon 9am"
    """
    from closetask.cli import task_changes as tc
    from closetask.cli import task_updates
    from closetask.core.refs import is_system_task
    from closetask.errors import UsageError

    app = tc.app_context(ctx)
    if text is None and date is None:
        raise UsageError("nothing to edit: pass --text, --date or both")
    if text is not None and not text.strip():
        raise UsageError("the new text is empty")
    if all_day and date is None:
        raise UsageError("--all-day goes with --date")
    fields: dict[str, object] = {}
    if text is not None:
        fields["text"] = text
    parsed = None
    if date is not None:
        parsed = tc.parse_when(app, date, flag="--date")
        fields["date"] = parsed.to_api()
    ids = tc.task_ids(app, [ref])
    if len(ids) != 1:
        raise UsageError("edit changes one task at a time: pass one REF")
    # A dry run sends nothing, so it cannot read the type; a noti_ ID tells it anyway.
    if dry_run and "text" in fields and is_system_task(ids[0]):
        raise UsageError(f"only lead tasks have text that can be changed; {ids[0]} is a system task (--date works)")

    task_updates.edit(
        app,
        ids[0],
        fields,
        parsed,
        command=tc.command_line(
            "edit",
            ref,
            *(("--text", text) if text is not None else ()),
            *(("--date", date) if date is not None else ()),
            *(("--all-day",) if all_day else ()),
        ),
        all_day=all_day,
        json_out=json_out,
        dry_run=dry_run,
        force=force,
    )


def show(ctx: typer.Context, ref: RefArg, json_out: JsonOpt = False) -> None:
    """Show every field of one task.

    Example: closetask show 2
    """
    from closetask.cli import task_changes as tc
    from closetask.close.tasks import task_path
    from closetask.errors import UsageError
    from closetask.render.report import Report, emit
    from closetask.render.task_detail import detail_lines

    app = tc.app_context(ctx)
    ids = tc.task_ids(app, [ref])
    if len(ids) != 1:
        raise UsageError("show takes one REF")
    task = app.client().get(task_path(ids[0]))
    if not json_out and not isinstance(task, dict):
        raise UsageError(f"Close sent no task object for {ids[0]}")
    plain = None if json_out else "\n".join(detail_lines(task, app.tz))
    emit(Report(data=task, plain=plain), json_out=json_out, notify=app.notify, out=app.env.output)


def _when(app: Session, text: str) -> str:
    from closetask.cli import task_changes as tc

    return tc.parse_when(app, text).to_api()


# Looked up by the root group only when one of these commands runs (cli/lazy_group.py).
commands = command_app()
for _name, _fn in (
    ("add", add),
    ("done", done),
    ("reopen", reopen),
    ("reassign", reassign),
    ("edit", edit),
    ("show", show),
):
    commands.command(_name)(_fn)
commands.command("snooze", cls=WhenLastCommand)(snooze)
