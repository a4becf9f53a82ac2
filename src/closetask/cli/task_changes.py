"""The flow every changing command shares: REFs -> IDs, --dry-run, the prompt, the journal
written before the first request, chunked apply with per-chunk marks, the report and --json.

Used by cli/actions.py, cli/undo.py and cli/bulk.py; not a command module itself.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from closetask.errors import ApiError, BulkPartialFailure, UsageError

if TYPE_CHECKING:
    import typer

    from closetask.context import AppContext
    from closetask.core.changes import ApplyResult, PlannedRequest
    from closetask.core.journal import JournalEntry, UndoJournal


def undo_hint(app: AppContext) -> str:
    return f"undo with: {app.command('undo')}"


def app_context(ctx: typer.Context) -> AppContext:
    return ctx.obj


# --- input ----------------------------------------------------------------------------


def task_ids(app: AppContext, refs: Sequence[str]) -> list[str]:
    """REF arguments (row numbers, IDs, addresses, `-` for stdin) -> task IDs, or exit 2."""
    from closetask.core.refs import load_rows, parse_task_refs, split_refs

    stdin_text = None
    if "-" in refs and not app.stdin_isatty:
        stdin_text = sys.stdin.read()
    expanded = split_refs(refs, stdin_text)
    if not expanded:
        raise UsageError("no task REFs given" + (" (stdin was empty)" if "-" in refs else ""))
    rows = (
        load_rows(app.state_path("rows.json"))
        if any(r.strip().isascii() and r.strip().isdigit() for r in expanded)
        else None
    )
    return parse_task_refs(expanded, rows)


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


def require_yes(app: AppContext, *, yes: bool, what: str, nothing: str = "changed") -> None:
    """Off a terminal nobody can answer a prompt: without --yes, exit 2 before any request."""
    if not yes and not app.stdin_isatty:
        raise UsageError(f"{what} needs confirmation: pass --yes when not on a terminal; nothing was {nothing}")


def confirm(app: AppContext, question: str, *, yes: bool, what: str) -> None:
    """Ask on a terminal; off one, --yes is required (exit 2 without it, nothing changed)."""
    require_yes(app, yes=yes, what=what)
    if yes:
        return
    import typer

    if not typer.confirm(question, default=False, err=True):
        app.notify("Cancelled: nothing was changed.")
        raise typer.Exit(1)


# --- output ---------------------------------------------------------------------------


def api_prefix(app: AppContext) -> str:
    """`/api/v1/`: the base URL's path, so --dry-run prints the path Close will see."""
    from urllib.parse import urlsplit

    path = urlsplit(app.settings.base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def print_requests(app: AppContext, requests: Iterable[PlannedRequest]) -> int:
    prefix = api_prefix(app)
    count = 0
    for request in requests:
        print(request.describe(prefix))
        count += 1
    app.notify(f"Dry run: {count} request{'s' if count != 1 else ''} not sent.")
    return count


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def plural(count: int, noun: str = "task") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- the journal ----------------------------------------------------------------------


def journal(app: AppContext) -> UndoJournal:
    from closetask.core.journal import UndoJournal

    return UndoJournal(
        app.state_path("journal.jsonl"),
        clock=lambda: app.now().isoformat(),
        warn=app.notify,
    )


def journaled_apply(
    app: AppContext,
    book: UndoJournal,
    entry: JournalEntry,
    requests: Sequence[PlannedRequest],
    *,
    on_chunk: Callable[[Any], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    missing_ok: bool = False,
    in_flight: int = 1,
) -> ApplyResult:
    """Send `requests` (`in_flight` at a time), marking each chunk in the journal before it
    leaves and when its outcome is recorded, then the entry's final status."""
    from closetask.core.changes import apply_requests

    def before(request: PlannedRequest) -> None:
        book.mark(entry.id, attempting=request.ids)

    def after(chunk: Any) -> None:
        if chunk.ok:
            book.mark(entry.id, sent=chunk.ids)
        else:
            book.mark(entry.id, failed=chunk.ids, error=chunk.error)
        if on_chunk is not None:
            on_chunk(chunk)

    try:
        result = apply_requests(
            app.client(),
            requests,
            before_chunk=before,
            on_chunk=after,
            should_stop=should_stop,
            missing_ok=missing_ok,
            in_flight=in_flight,
        )
    except KeyboardInterrupt:
        book.mark(entry.id, status="partial", error="interrupted")
        raise
    book.mark(entry.id, status=result.journal_status())
    return result


def raise_for_failures(result: ApplyResult, *, done_verb: str, rerun: str, rerun_finishes: bool = False) -> None:
    """Some chunks failed: exit 3. All failed: the first error as is (its own exit code),
    unless `rerun_finishes` (bulk: a cron rerun of the same command completes the job), where
    only errors a rerun would repeat (key rejected, change invalid) keep their own code."""
    from closetask.errors import AuthError, ValidationFailed

    if result.ok:
        return
    exc = result.first_exception
    if not result.sent and (not rerun_finishes or isinstance(exc, (AuthError, ValidationFailed))):
        if isinstance(exc, ApiError):
            raise exc
        raise ApiError("; ".join(result.errors) or "nothing was changed")
    failed = len(result.failed) + len(result.not_sent)
    error = result.errors[0] if result.errors else "stopped"
    raise BulkPartialFailure(
        # "not confirmed" rather than "not changed": a chunk whose answer was lost may still
        # have been applied; the journal keeps it as attempted so that undo covers it.
        f"{done_verb} {plural(len(result.sent))}, {failed} not confirmed: {error}",
        hint=f"{rerun}; the journal records exactly which tasks were changed",
    )


# --- the shared update flow -----------------------------------------------------------


def run_update(
    ctx: typer.Context,
    *,
    command: str,
    ids: Sequence[str],
    fields: Mapping[str, Any],
    message: Callable[[int], str],
    already: str,
    json_out: bool,
    dry_run: bool,
    check: Callable[[Mapping[str, Mapping[str, Any]]], None] | None = None,
) -> None:
    """Set `fields` on `ids`: read the before-state (one GET per chunk), skip tasks already
    so, journal, apply in chunks, report on stderr, print the tasks with --json.

    `message(n)` starts the confirmation line ("Completed 2 tasks"); `already` describes the
    skipped ones ("already complete"); `check` may refuse the change (exit 2) after the read.
    """
    from closetask.core.changes import LABEL_FIELDS, before_state, fetch_tasks, needs_change, plan_update
    from closetask.render.task_detail import labels_summary

    app = app_context(ctx)
    if dry_run:
        print_requests(app, plan_update(ids, fields))
        return
    client = app.client()
    current = fetch_tasks(client, ids, [*LABEL_FIELDS, *fields])
    if check is not None:
        check(current)
    todo = [i for i in ids if needs_change(current[i], fields)]
    skipped = [current[i] for i in ids if i not in todo]
    if skipped:
        app.notify(f"Skipped {plural(len(skipped))} {already}: {labels_summary(skipped)}")
    result = None
    if todo:
        book = journal(app)
        entry = book.begin(
            command=command,
            action="update",
            before=before_state({i: current[i] for i in todo}, fields),
            changes=fields,
        )
        result = journaled_apply(app, book, entry, plan_update(todo, fields))
        changed = [current[i] for i in result.sent]
        if changed:
            app.notify(f"{message(len(changed))}: {labels_summary(changed)}")
            app.notify(undo_hint(app))
    elif not skipped:
        app.notify("Nothing to change.")
    if json_out:
        answered = result.tasks if result is not None else {}
        print_json(refetch(client, ids, answered))
    if result is not None:
        raise_for_failures(result, done_verb="changed", rerun="run the same command again to finish")


def refetch(client: Any, ids: Sequence[str], known: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Full task objects in `ids` order: those a single PUT answered, the rest with one
    GET id__in per chunk (a bulk PUT answers no tasks)."""
    from closetask.core.changes import fetch_tasks

    missing = [i for i in ids if i not in known]
    fetched = fetch_tasks(client, missing, require_all=False) if missing else {}
    return [task for i in ids if (task := known.get(i) or fetched.get(i)) is not None]
