"""What the changing commands share on the command line: REFs -> IDs, --dry-run, the prompt,
the journal file, the report and --json, around core/apply.py's journaled change flow.

Used by cli/actions.py, cli/undo.py and cli/bulk.py; not a command module itself.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from closetask.core.apply import plural
from closetask.errors import UsageError

if TYPE_CHECKING:
    import typer

    from closetask.core.changes import PlannedRequest
    from closetask.core.when import When
    from closetask.session import Session
    from closetask.state.journal import UndoJournal


def undo_hint(app: Session) -> str:
    return f"undo with: {app.command('undo')}"


def parse_when(app: Session, text: str, *, flag: str = "") -> When:
    """A WHEN in the profile's zone, `eod` its end of day. A time already past today is
    allowed (it may be meant) but earns one line on a terminal; scripts get no noise."""
    from datetime import time

    from closetask.core.when import is_past_today
    from closetask.core.when import parse_when as parse

    now = app.now()
    hour, minute = app.settings.eod.split(":")
    try:
        when = parse(text, now=now, tz=app.tz, eod=time(int(hour), int(minute)))
    except UsageError as exc:
        if not flag:
            raise
        raise UsageError(f"{flag}: {exc.message}") from None
    if app.stderr_isatty and is_past_today(when, now=now, tz=app.tz):
        at = when.value.astimezone(app.tz.tzinfo)  # type: ignore[union-attr]
        app.notify(f"warning: {at:%H:%M} today has already passed (it is {now:%H:%M}); the task will be overdue")
    return when


def app_context(ctx: typer.Context) -> Session:
    return ctx.obj


# --- input ----------------------------------------------------------------------------


def task_ids(app: Session, refs: Sequence[str]) -> list[str]:
    """REF arguments (row numbers, IDs, addresses, `-` for stdin) -> task IDs, or exit 2."""
    from closetask.core.refs import load_rows, parse_task_refs, row_number, split_refs

    stdin_text = None
    if "-" in refs and not app.stdin_isatty:
        stdin_text = app.env.input.read()
    expanded = split_refs(refs, stdin_text)
    if not expanded:
        raise UsageError("no task REFs given" + (" (stdin was empty)" if "-" in refs else ""))
    rows = None
    if any(r.strip().isascii() and r.strip().isdigit() for r in expanded):
        path = app.rows_path()
        if path is None:
            raise UsageError(
                "row numbers name rows of the table last shown on this terminal, and this run has no terminal "
                "(cron?): name tasks by ID (closetask inbox --ids)"
            )
        rows = load_rows(path)
    ids = parse_task_refs(expanded, rows)
    if rows is not None:
        for ref in expanded:
            text = ref.strip()
            if text.isascii() and text.isdigit() and (task_id := rows.lookup(row_number(text))) is not None:
                app.row_named[task_id] = rows
    return ids


def command_line(name: str, *parts: Any) -> str:
    """What the journal records as the command: the user's words, never a setting or key."""
    words: list[str] = [name]
    for part in parts:
        if part is None or part is False:
            continue
        if isinstance(part, (list, tuple)):
            words.extend(str(p) for p in part)
        else:
            words.append(str(part))
    return shlex.join(words)


def require_yes(app: Session, *, yes: bool, what: str, nothing: str = "changed") -> None:
    """Off a terminal nobody can answer a prompt: without --yes, exit 2 before any request."""
    if not yes and not app.stdin_isatty:
        raise UsageError(f"{what} needs confirmation: pass --yes when not on a terminal; nothing was {nothing}")


def confirm(app: Session, question: str, *, yes: bool, what: str) -> None:
    """Ask on a terminal; off one, --yes is required (exit 2 without it, nothing changed)."""
    require_yes(app, yes=yes, what=what)
    if yes:
        return
    import typer

    if not typer.confirm(question, default=False, err=True):
        app.notify("Cancelled: nothing was changed.")
        raise typer.Exit(1)


# --- output ---------------------------------------------------------------------------


def api_prefix(app: Session) -> str:
    """`/api/v1/`: the base URL's path, so --dry-run prints the path Close will see."""
    from urllib.parse import urlsplit

    path = urlsplit(app.settings.base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def print_requests(app: Session, requests: Iterable[PlannedRequest]) -> int:
    prefix = api_prefix(app)
    count = 0
    for request in requests:
        print(request.describe(prefix), file=app.env.output)
        count += 1
    app.notify(f"Dry run: {count} request{'s' if count != 1 else ''} not sent.")
    return count


# --- the journal and the lock ---------------------------------------------------------


def change_lock(app: Session, command: str) -> Any:
    """The profile's change lock for an apply phase: a single change waits a few seconds for
    another to finish, and refuses at once (exit 1, naming it) while a bulk runs."""
    import os

    from closetask.state.lock import BulkLock

    holder = {"pid": os.getpid(), "started": app.now().isoformat(timespec="seconds"), "command": command}
    return BulkLock(app.state_path("bulk.lock"), holder=holder, what="change", wait=5.0)


def journal(app: Session) -> UndoJournal:
    from closetask.state.journal import UndoJournal

    return UndoJournal(
        app.state_path("journal.jsonl"),
        clock=lambda: app.now().isoformat(),
        warn=app.notify,
    )


# --- the shared update flow -----------------------------------------------------------


def run_update(
    app: Session,
    *,
    command: str,
    ids: Sequence[str],
    fields: Mapping[str, Any],
    message: Callable[[int], str],
    already: str,
    json_out: bool,
    dry_run: bool,
    check: Callable[[Mapping[str, Mapping[str, Any]]], None] | None = None,
    force: bool = False,
    fields_of: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    dry_run_note: str | None = None,
) -> None:
    """Set `fields` on `ids`: read the before-state (one GET per chunk), skip tasks already
    so, journal, apply in chunks, report on stderr, print the tasks with --json.

    `message(n)` starts the confirmation line ("Completed 2 tasks"); `already` describes the
    skipped ones ("already complete"); `check` may refuse the change (exit 2) after the read.
    `fields_of(task)`, when given, is what to set on that task (same keys as `fields`, which
    a dry run shows with `dry_run_note`): tasks are grouped by it, one bulk PUT per group.
    """
    from closetask.core.apply import change, plan_update_each, raise_for_failures
    from closetask.core.changes import LABEL_FIELDS, fetch_tasks, plan_update
    from closetask.render.report import Report, emit
    from closetask.render.task_detail import labels_summary

    if dry_run:
        print_requests(app, plan_update(ids, fields))
        if dry_run_note:
            app.notify(dry_run_note)
        return
    client = app.client()
    row_named = {i: rows for i, rows in app.row_named.items() if i in ids}
    extra = ("is_complete", "date", "assigned_to") if row_named else ()
    current = fetch_tasks(client, ids, [*LABEL_FIELDS, *fields, *extra], require_all=not row_named)
    report = Report()
    left = {} if force else left_their_rows(app, current, row_named, fields)
    missing = [i for i in ids if i not in current and i not in left]
    if missing:
        fetch_tasks(client, missing)  # raises NotFound naming them, as for any unknown ID
    if left:
        report.note(left_note(left, current))
        ids = [i for i in ids if i not in left]
    if check is not None:
        check(current)
    plan, requests, own = plan_update_each(current, ids, fields, fields_of)
    if plan.skipped:
        report.note(
            f"Skipped {plural(len(plan.skipped))} {already}: {labels_summary([current[i] for i in plan.skipped])}"
        )
    result = None
    if plan.todo:
        with change_lock(app, command):
            _, result = change(
                client,
                journal(app),
                command=command,
                action="update",
                before=plan.before,
                changes=fields,
                requests=requests,
                # what each task was set to, where it is not `fields`: undo's conflict check
                extra={"changes_of": own} if own else None,
            )
        changed = [current[i] for i in result.sent]
        if changed:
            report.note(f"{message(len(changed))}: {labels_summary(changed)}").note(undo_hint(app))
    elif not plan.skipped:
        report.note("Nothing to change.")
    if json_out:
        report.data = refetch(client, ids, result.tasks if result is not None else {})
    emit(report, json_out=json_out, notify=app.notify, out=app.env.output)
    if result is not None:
        raise_for_failures(result, done_verb="changed", rerun="run the same command again to finish")
    if left:
        raise_for_left_rows(left, changed_any=result is not None and bool(result.sent))


STALE_ROWS_HINT = "list again and use the new row numbers, or pass --force to act on them anyway"


def left_note(left: Mapping[str, str], current: Mapping[str, Any]) -> str:
    from closetask.render.task_detail import task_label

    named = "; ".join(f"{task_label(current[i]) if i in current else i} ({why})" for i, why in left.items())
    return f"Left alone {plural(len(left))} no longer where its row showed it: {named}"


def raise_for_left_rows(left: Mapping[str, str], *, changed_any: bool, verb: str = "changed") -> None:
    """Rows left alone: exit 3 when something else was done, 1 when nothing was."""
    from closetask.errors import ClosetaskError, PartlyDone

    if not changed_any:
        raise ClosetaskError(
            f"nothing {verb}: {plural(len(left))} named by row changed since the table was shown", hint=STALE_ROWS_HINT
        )
    raise PartlyDone(
        f"left {plural(len(left))} alone whose row changed since the table was shown", hint=STALE_ROWS_HINT
    )


def left_their_rows(
    app: Session, current: Mapping[str, Any], row_named: Mapping[str, Any], fields: Mapping[str, Any] | None
) -> dict[str, str]:
    """Row-named tasks that are no longer what their row showed (gone, completed, moved...).
    A task that already holds what the command would set is not one: `done 3` on a task
    someone else completed meanwhile is simply already done; nor is one this profile's own
    commands changed since the table (the journal says so): `done 2` then `reopen 2` means
    the same row both times."""
    from datetime import datetime

    from closetask.core.changes import needs_change
    from closetask.core.refs import left_its_row

    today = app.today()
    ours: set[str] = set()
    shown = {rows.saved_at for rows in row_named.values()}
    since = min((datetime.fromisoformat(t) for t in shown if t), default=None)
    if since is not None:
        for entry in journal(app).entries():
            try:
                if datetime.fromisoformat(entry.at) >= since:
                    ours.update(entry.touched)
            except ValueError:
                continue
    reasons = {}
    for task_id, rows in row_named.items():
        task = current.get(task_id)
        if task_id in ours or (task is not None and fields is not None and not needs_change(task, fields)):
            continue
        why = left_its_row(task, rows, tz=app.tz, today=today)
        if why is not None:
            reasons[task_id] = why
    return reasons


def refetch(client: Any, ids: Sequence[str], known: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Full task objects in `ids` order: those a single PUT answered, the rest with one
    GET id__in per chunk (a bulk PUT answers no tasks)."""
    from closetask.core.changes import fetch_tasks

    missing = [i for i in ids if i not in known]
    fetched = fetch_tasks(client, missing, require_all=False) if missing else {}
    return [task for i in ids if (task := known.get(i) or fetched.get(i)) is not None]
