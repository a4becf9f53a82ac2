"""The one journaled change flow: every command that changes tasks goes through here.

    journal.begin(before-state)     written before the first request leaves
    for each planned request:       marked `attempting` in the journal, sent, then marked
                                    `sent` or `failed` (a lost answer stays `attempting`)
    journal.mark(status)            applied, partial or failed
    -> ApplyResult                  what is known: sent (changed), failed (unknown: the
                                    answer was an error or never came), not sent

`change()` does it for updates and deletes, `create()` for the one POST of `add`, and
`revert()` for undo (whose outcome is recorded on the entry it reverts). Client and journal
are injected: anything with the methods used (close/http.py's CloseClient and
state/journal.py's UndoJournal in the CLI, fakes in tests). Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from closetask.errors import ApiError, AuthError, PartlyDone, ValidationFailed

if TYPE_CHECKING:
    from closetask.core.changes import ApplyResult, ChunkResult, PlannedRequest
    from closetask.core.journal import JournalEntry


class Journal(Protocol):
    """What the flow needs of a journal (state/journal.py's UndoJournal)."""

    def begin(
        self,
        *,
        command: str,
        action: str,
        before: Iterable[Mapping[str, Any]],
        changes: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> JournalEntry: ...

    def mark(self, entry_id: str, **marks: Any) -> None: ...

    def mark_undone(
        self,
        entry_id: str,
        *,
        sent: Sequence[str] = (),
        error: str | None = None,
        complete: bool = True,
        skipped: Sequence[str] = (),
    ) -> None: ...


def plural(count: int, noun: str = "task") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- updates and deletes ----------------------------------------------------------------


@dataclass(frozen=True)
class UpdatePlan:
    """An update split by the tasks' current state: `todo` still differ from `fields`,
    `skipped` are already so; `before` is what the journal keeps to undo `todo`."""

    todo: list[str]
    skipped: list[str]
    before: list[dict[str, Any]]


def plan_update_of(
    current: Mapping[str, Mapping[str, Any]], ids: Sequence[str], fields: Mapping[str, Any]
) -> UpdatePlan:
    from closetask.core.changes import before_state, needs_change

    todo = [i for i in ids if needs_change(current[i], fields)]
    left_alone = set(ids) - set(todo)
    skipped = [i for i in ids if i in left_alone]
    return UpdatePlan(todo, skipped, before_state({i: current[i] for i in todo}, fields))


def change(
    client: Any,
    journal: Journal,
    *,
    command: str,
    action: str,
    before: Iterable[Mapping[str, Any]],
    requests: Sequence[PlannedRequest],
    changes: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    on_chunk: Callable[[ChunkResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    missing_ok: bool = False,
    in_flight: int = 1,
    stop_on: tuple[type[Exception], ...] = (),
) -> tuple[JournalEntry, ApplyResult]:
    """Journal the before-state, then send `requests` (`in_flight` at a time), marking each
    chunk before it leaves and when its outcome is known, then the entry's final status."""
    entry = journal.begin(command=command, action=action, before=before, changes=changes, extra=extra)
    return entry, send(
        client,
        journal,
        entry,
        requests,
        on_chunk=on_chunk,
        should_stop=should_stop,
        missing_ok=missing_ok,
        in_flight=in_flight,
        stop_on=stop_on,
    )


def send(
    client: Any,
    journal: Journal,
    entry: JournalEntry,
    requests: Sequence[PlannedRequest],
    *,
    on_chunk: Callable[[ChunkResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    missing_ok: bool = False,
    in_flight: int = 1,
    stop_on: tuple[type[Exception], ...] = (),
) -> ApplyResult:
    """The sending half of `change()`, for an entry already begun."""
    from closetask.core.changes import apply_requests

    def before(request: PlannedRequest) -> None:
        journal.mark(entry.id, attempting=request.ids)

    def after(chunk: ChunkResult) -> None:
        if chunk.ok:
            journal.mark(entry.id, sent=chunk.ids)
        else:
            journal.mark(entry.id, failed=chunk.ids, error=chunk.error)
        if on_chunk is not None:
            on_chunk(chunk)

    try:
        result = apply_requests(
            client,
            requests,
            before_chunk=before,
            on_chunk=after,
            should_stop=should_stop,
            missing_ok=missing_ok,
            in_flight=in_flight,
            stop_on=stop_on,
        )
    except KeyboardInterrupt:
        journal.mark(entry.id, status="partial", error="interrupted")
        raise
    journal.mark(entry.id, status=result.journal_status())
    return result


# --- add ------------------------------------------------------------------------------


def create(client: Any, journal: Journal, *, command: str, request: PlannedRequest) -> dict[str, Any]:
    """POST one task, journaled first; returns Close's answer (the new task).

    A POST that failed may still have created the task (a lost answer): the entry says
    `failed` with the error, and keeps no ID, since none came back.
    """
    entry = journal.begin(command=command, action="create", before=[], changes=request.body)
    try:
        task = request.send(client)
    except BaseException as exc:
        journal.mark(entry.id, status="failed", error=getattr(exc, "message", None) or type(exc).__name__)
        raise
    task_id = task.get("id") if isinstance(task, dict) else None
    journal.mark(entry.id, status="applied", sent=[task_id] if task_id else [])
    if not task_id:
        raise ApiError("Close answered the POST without a task object; check the lead's tasks in Close")
    return task


# --- undo -----------------------------------------------------------------------------


def revert(
    client: Any,
    journal: Journal,
    entry: JournalEntry,
    requests: Sequence[PlannedRequest],
    *,
    skipped: Sequence[str] = (),
) -> ApplyResult:
    """Send the requests that undo `entry` and record the outcome on it. A partial undo
    (a request failed) leaves the entry undoable: reverting again is harmless and finishes it.
    `skipped` (changed since, left alone) is recorded; it does not keep the entry open."""
    from closetask.core.changes import apply_requests

    try:
        result = apply_requests(client, requests, missing_ok=entry.action == "create")
    except KeyboardInterrupt:
        journal.mark_undone(entry.id, complete=False, error="interrupted")
        raise
    journal.mark_undone(
        entry.id, sent=result.sent, complete=result.ok, error="; ".join(result.errors) or None, skipped=skipped
    )
    return result


# --- what a failure means for the exit code ------------------------------------------


def raise_for_failures(result: ApplyResult, *, done_verb: str, rerun: str, rerun_finishes: bool = False) -> None:
    """Some chunks failed: exit 3. All failed: the first error as is (its own exit code),
    unless `rerun_finishes` (bulk: a cron rerun of the same command completes the job), where
    only errors a rerun would repeat (key rejected, change invalid) keep their own code."""
    if result.ok:
        return
    exc = result.first_exception
    if not result.sent and (not rerun_finishes or isinstance(exc, (AuthError, ValidationFailed))):
        if isinstance(exc, ApiError):
            raise exc
        raise ApiError("; ".join(result.errors) or "nothing was changed")
    failed = len(result.failed) + len(result.not_sent)
    error = result.errors[0] if result.errors else "stopped"
    raise PartlyDone(
        # "not confirmed" rather than "not changed": a chunk whose answer was lost may still
        # have been applied; the journal keeps it as attempted so that undo covers it.
        f"{done_verb} {plural(len(result.sent))}, {failed} not confirmed: {error}",
        hint=f"{rerun}; the journal records exactly which tasks were changed",
    )
