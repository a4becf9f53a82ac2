"""`closetask undo`: revert the most recent change recorded in the journal, or list them."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from closetask.cli.lazy_group import command_app
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
    force: Annotated[
        bool, typer.Option("--force", help="Revert tasks changed since the entry too (their later change is lost).")
    ] = False,
    yes: YesOpt = False,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
    old_list: Annotated[
        bool, typer.Option("-l", hidden=True, help="Old short form of --list (-l is --lead elsewhere).")
    ] = False,
) -> None:
    """Revert the most recent change (done, reopen, reassign, edit, snooze, add, bulk).

    Tasks get back the values they had before; a task that `add` created is deleted. A task
    changed since (by a later command, a colleague, or in Close) is left alone and named:
    undo never overwrites later work unless --force. Exit 3: some tasks were left alone.
    Deleted tasks cannot be restored. --list shows the journal.

    Example: closetask undo --list
    """
    from closetask.cli import task_changes as tc

    app = tc.app_context(ctx)
    if list_ or old_list:
        _list(app, tc.journal(app), limit, json_out)
        return
    run_undo(app, entry_id, force=force, yes=yes, json_out=json_out, dry_run=dry_run)


def run_undo(
    app, entry_id: str | None, *, force: bool, yes: bool, json_out: bool = False, dry_run: bool = False
) -> None:
    """Undo `entry_id` (None: the most recent not yet undone) for `app` (a Session): what
    `closetask undo` does, and what triage's `u` does (with yes=True: the key press asked)."""
    from closetask.cli import task_changes as tc
    from closetask.core.journal import is_uncertain_create
    from closetask.errors import ClosetaskError

    book = tc.journal(app)
    entry = _pick(book, entry_id, force=force)
    if entry is None:
        app.notify("Nothing to undo.")
        return
    if entry.action == "delete":
        _plan(entry, [])  # says why a delete cannot be undone (exit 1), before any request
    candidates = _candidates(entry)
    if dry_run:
        requests, what, _ = _plan(entry, candidates)
        app.notify(f"Would undo `{entry.command}` ({entry.id}): {what} (tasks changed since are checked when it runs)")
        tc.print_requests(app, requests)
        return
    tc.require_yes(app, yes=yes, what="undo")  # off a terminal: exit 2 before any request
    with tc.change_lock(app, f"undo {entry.id}"):
        # Read again under the lock: another undo may have just reverted this entry.
        # One fold of the journal serves both checks: this entry now, and the entries after it.
        entries = book.entries()
        position = next((n for n, e in enumerate(entries) if e.id == entry.id), None)
        fresh = entries[position] if position is not None else None
        if fresh is None or (fresh.status, fresh.undo_sent) != (entry.status, entry.undo_sent):
            raise ClosetaskError(f"{_named(entry)} was undone meanwhile by another run")
        entry = fresh
        candidates = _candidates(entry)
        if is_uncertain_create(entry):
            candidates = _find_created(app, book, entry)
        later = entries[position + 1 :] if position is not None else []
        _undo(app, book, entry, candidates, later, force=force, yes=yes, json_out=json_out)


def _undo(app, book, entry, candidates: list[str], later, *, force: bool, yes: bool, json_out: bool) -> None:
    """Check, confirm, revert and report, under the change lock."""
    from closetask.cli import task_changes as tc
    from closetask.core.apply import plural, raise_for_failures, revert
    from closetask.errors import ClosetaskError, PartlyDone
    from closetask.render.report import Report, emit
    from closetask.render.task_detail import labels_summary

    client = app.client()
    current, skipped = _changed_since(client, entry, later, candidates, force=force)
    todo = [i for i in candidates if i not in skipped]
    report = Report()
    if skipped:
        named = labels_summary([current.get(i) or {"id": i} for i in skipped])
        why = "; ".join(sorted({reason for reason in skipped.values()}))
        report.note(f"Left alone {plural(len(skipped))} changed since `{entry.command}`: {named} ({why})")
    if not todo:
        emit(report, json_out=False, notify=app.notify)
        raise ClosetaskError(
            f"nothing to undo in {_named(entry)}: every task it changed was changed since",
            hint=f"closetask undo {entry.id} --force reverts them anyway (their later change is lost)",
        )
    requests, what, done = _plan(entry, todo)
    tc.confirm(app, f"Undo `{entry.command}` ({entry.at}): {what}?", yes=yes, what="undo")
    result = revert(client, book, entry, requests, skipped=list(skipped))
    if result.sent:
        report.note(f"Undid `{entry.command}`: {done}.")
    if json_out:
        # The PUTs' answers are reused; refetch asks only for tasks it has no answer for.
        report.data = tc.refetch(client, result.sent if entry.action != "create" else [], result.tasks)
    emit(report, json_out=json_out, notify=app.notify, out=app.env.output)
    raise_for_failures(result, done_verb="restored", rerun="run `closetask undo` again to finish")
    if skipped:
        raise PartlyDone(
            f"restored {plural(len(result.sent))}, left {len(skipped)} alone: changed since {_named(entry)}",
            hint=f"closetask undo {entry.id} --force reverts them anyway (their later change is lost)",
        )


def _pick(book, entry_id: str | None, *, force: bool = False):
    from closetask.core.journal import is_uncertain_create
    from closetask.errors import UsageError

    if entry_id is None:
        return book.last_undoable()
    entry = book.get(entry_id)
    if entry is None:
        raise UsageError(f"no journal entry {entry_id!r}", hint="closetask undo --list shows the entries")
    if entry.status == "undone" and not (force and entry.undo_skipped):
        raise UsageError(f"{_named(entry)} was already undone")
    if not entry.touched and not is_uncertain_create(entry):
        raise UsageError(f"{_named(entry)} changed nothing; there is nothing to undo")
    return entry


def _find_created(app, book, entry) -> list[str]:
    """The task an `add` whose answer was lost may have created: on its lead, with its text,
    created since the entry was written (a minute's grace for the clocks). One found: that
    is the candidate. None: the add created nothing, and the entry is closed. Several:
    stop and say so; never guess, never skip to an older entry."""
    from datetime import datetime, timedelta

    from closetask.close.tasks import TASKS
    from closetask.core.ordering import parse_task_date
    from closetask.errors import ClosetaskError

    body = entry.changes
    since = datetime.fromisoformat(entry.at) - timedelta(minutes=1)
    params = {"lead_id": body.get("lead_id"), "_type": "lead", "_fields": "id,text,date_created,lead_id"}
    found = []
    for page in app.client().paginate_ranges(TASKS, params):
        for task in page:
            created = parse_task_date(task.get("date_created"))
            if task.get("text") == body.get("text") and isinstance(created, datetime) and created >= since:
                found.append(str(task["id"]))
    if not found:
        book.mark_undone(entry.id, complete=True, error="the add created no task")
        raise ClosetaskError(
            f"{_named(entry)} got no answer, and no task it could have created is on {body.get('lead_id')}: "
            "nothing to undo (the entry is closed; run undo again for the one before it)"
        )
    if len(found) > 1:
        raise ClosetaskError(
            f"{_named(entry)} got no answer, and {len(found)} tasks on {body.get('lead_id')} could be the one it created: "
            f"{', '.join(found)}",
            hint="delete the one you mean with `closetask delete ID`; undo will not guess",
        )
    return found


def _candidates(entry) -> list[str]:
    """What undoing `entry` may touch: the tasks it changed, less those an earlier undo of it
    restored (an undo of an undone entry, with --force, is only its skipped tasks)."""
    if entry.status == "undone":
        return list(entry.undo_skipped)
    restored = set(entry.undo_sent)
    return [i for i in entry.touched if i not in restored]


def _changed_since(client, entry, later, ids: list[str], *, force: bool):
    """Each task as Close has it now, and those changed since `entry` (empty with --force)."""
    from closetask.core.changes import LABEL_FIELDS, fetch_tasks
    from closetask.core.conflicts import changed_since

    fields = [*LABEL_FIELDS, *entry.changes, "date_updated"]
    current = fetch_tasks(client, ids, fields, require_all=False)
    if force:
        return current, {}
    return current, changed_since(entry, later, current, ids)


def _plan(entry, ids: list[str]):
    """The requests that revert `ids` of `entry`, and phrases for the prompt and the report."""
    from closetask.core.apply import plural
    from closetask.core.changes import plan_delete, plan_revert
    from closetask.errors import ClosetaskError

    if entry.action == "delete":
        raise ClosetaskError(
            f"{_named(entry)} deleted {plural(len(entry.touched))}, and Close cannot restore a deleted task",
            hint=f"journal entry {entry.id} keeps their content; to undo an earlier change: closetask undo ENTRY (see --list)",
        )
    if entry.action == "create":
        count = plural(len(ids))
        return plan_delete(ids), f"delete the {count} it created", f"deleted the {count} it created"
    changed = [i for i in ids if entry.before_of(i) is not None]
    count = plural(len(changed))
    return plan_revert(entry.before, changed), f"restore {count}", f"restored {count}"


def _list(app, book, limit: int, json_out: bool) -> None:
    from closetask.core.apply import plural
    from closetask.render.machine import write_document

    entries = list(reversed(book.entries()))[:limit]
    # A `pending` entry whose process is gone (killed, crashed) never gets its final mark: it
    # is `interrupted`. Only the newest pending one can still be running, and only if some
    # process holds the profile's change lock.
    running = _a_change_is_running(app)
    newest_pending = next((e.id for e in entries if e.status == "pending"), None)

    def interrupted(e) -> bool:
        return e.status == "pending" and not (running and e.id == newest_pending)

    if json_out:
        write_document([{**e.summary(), "interrupted": interrupted(e)} for e in entries], out=app.env.output)
        return
    if not entries:
        app.notify("The journal is empty.")
        return
    for e in entries:
        tasks = plural(e.summary()["tasks"])
        status = "interrupted" if interrupted(e) else e.status
        print("\t".join((e.id, e.at[:16].replace("T", " "), status, tasks, e.command)), file=app.env.output)


def _a_change_is_running(app) -> bool:
    from closetask.state.lock import BulkLock, LockHeld

    try:
        with BulkLock(app.state_path("bulk.lock")):
            return False
    except LockHeld:
        return True


# Looked up by the root group only when `undo` runs (cli/lazy_group.py).
commands = command_app()
commands.command("undo")(undo)


def _named(entry) -> str:
    """`journal entry 3f9a2c1b (bulk)`: an error line names the entry, not its whole command
    (a bulk's can run to hundreds of IDs; `undo --list` shows it)."""
    verb = entry.command.split(" ", 1)[0] if entry.command else entry.action
    return f"journal entry {entry.id} ({verb})"
