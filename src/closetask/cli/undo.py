"""`closetask undo`: revert the most recent change recorded in the journal, or list them."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from closetask.cli.options import DryRunOpt, JsonOpt, YesOpt


def undo(
    ctx: typer.Context,
    entry_id: Annotated[
        Optional[str],
        typer.Argument(
            metavar="[ENTRY]",
            help="Journal entry to undo (from --list); default: the most recent not yet undone.",
            show_default=False,
        ),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List recent journal entries instead of undoing.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many entries --list shows.")] = 10,
    yes: YesOpt = False,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
    old_list: Annotated[
        bool, typer.Option("-l", hidden=True, help="Old short form of --list (-l is --lead elsewhere).")
    ] = False,
) -> None:
    """Revert the most recent change (done, reopen, reassign, edit, snooze, add, bulk).

    Tasks get back the values they had before; a task that `add` created is deleted. Deleted
    tasks cannot be restored. --list shows the journal.

    Example: closetask undo --list
    """
    from closetask.cli import task_changes as tc
    from closetask.core.apply import raise_for_failures, revert
    from closetask.render.report import Report, emit

    app = tc.app_context(ctx)
    book = tc.journal(app)
    if list_ or old_list:
        _list(app, book, limit, json_out)
        return
    entry = _pick(book, entry_id)
    if entry is None:
        app.notify("Nothing to undo.")
        return
    requests, what, done = _plan(entry)
    if dry_run:
        app.notify(f"Would undo `{entry.command}` ({entry.id}): {what}")
        tc.print_requests(app, requests)
        return
    tc.confirm(app, f"Undo `{entry.command}` ({entry.at}): {what}?", yes=yes, what="undo")
    result = revert(app.client(), book, entry, requests)
    report = Report()
    if result.sent:
        report.note(f"Undid `{entry.command}`: {done}.")
    if json_out:
        # The PUTs' answers are reused; refetch asks only for tasks it has no answer for.
        report.data = tc.refetch(app.client(), result.sent if entry.action != "create" else [], result.tasks)
    emit(report, json_out=json_out, notify=app.notify, out=app.env.output)
    raise_for_failures(result, done_verb="restored", rerun="run `closetask undo` again to finish")


def _pick(book, entry_id: str | None):
    from closetask.errors import UsageError

    if entry_id is None:
        return book.last_undoable()
    entry = book.get(entry_id)
    if entry is None:
        raise UsageError(f"no journal entry {entry_id!r}", hint="closetask undo --list shows the entries")
    if entry.status == "undone":
        raise UsageError(f"journal entry {entry.id} (`{entry.command}`) was already undone")
    if not entry.touched:
        raise UsageError(f"journal entry {entry.id} (`{entry.command}`) changed nothing; there is nothing to undo")
    return entry


def _plan(entry):
    """The requests that revert `entry`, and phrases for the prompt and the report."""
    from closetask.core.apply import plural
    from closetask.core.changes import plan_delete, plan_revert
    from closetask.errors import ClosetaskError

    if entry.action == "delete":
        raise ClosetaskError(
            f"`{entry.command}` deleted {plural(len(entry.touched))}, and Close cannot restore a deleted task",
            hint=f"journal entry {entry.id} keeps their content; to undo an earlier change: closetask undo ENTRY (see --list)",
        )
    if entry.action == "create":
        count = plural(len(entry.touched))
        return plan_delete(entry.touched), f"delete the {count} it created", f"deleted the {count} it created"
    changed = [i for i in entry.touched if entry.before_of(i) is not None]
    count = plural(len(changed))
    return plan_revert(entry.before, changed), f"restore {count}", f"restored {count}"


def _list(app, book, limit: int, json_out: bool) -> None:
    from closetask.core.apply import plural
    from closetask.render.machine import write_document

    entries = list(reversed(book.entries()))[:limit]
    if json_out:
        write_document([e.summary() for e in entries], out=app.env.output)
        return
    if not entries:
        app.notify("The journal is empty.")
        return
    for e in entries:
        tasks = plural(e.summary()["tasks"])
        print("\t".join((e.id, e.at[:16].replace("T", " "), e.status, tasks, e.command)), file=app.env.output)


def register(typer_app: typer.Typer) -> None:
    """Add this module's commands to the root Typer app (`app` elsewhere here is the Session)."""
    typer_app.command("undo")(undo)
