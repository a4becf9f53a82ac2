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

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from closetask.close.tasks import TASKS
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


def plan_update_each(
    current: Mapping[str, Mapping[str, Any]],
    ids: Sequence[str],
    fields: Mapping[str, Any],
    fields_of: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
) -> tuple[UpdatePlan, list[PlannedRequest], dict[str, dict[str, Any]]]:
    """`plan_update_of` where each task may get its own values (`fields_of(task)`, the same
    keys as `fields`): the plan, its requests (bulk PUTs per group of equal values, since
    one `id__in` PUT carries one body) and each task's values where they are not `fields`."""
    from closetask.core.changes import before_state, needs_change, plan_update

    if fields_of is None:
        plan = plan_update_of(current, ids, fields)
        return plan, plan_update(plan.todo, fields), {}
    each = {i: fields_of(current[i]) for i in ids}
    todo = [i for i in ids if needs_change(current[i], each[i])]
    chosen = set(todo)
    plan = UpdatePlan(todo, [i for i in ids if i not in chosen], before_state({i: current[i] for i in todo}, fields))
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for task_id in todo:
        key = json.dumps(each[task_id], sort_keys=True, default=str)
        groups.setdefault(key, (each[task_id], []))[1].append(task_id)
    requests = [request for body, group in groups.values() for request in plan_update(group, body)]
    own = {i: each[i] for i in todo if each[i] != dict(fields)}
    return plan, requests, own


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
    read_back: bool = False,
    read_concurrency: int = 1,
) -> ApplyResult:
    """The sending half of `change()`, for an entry already begun. Tasks whose answer was
    lost are read back; with `read_back` so is every task of a bulk PUT (bulk: minutes may
    pass between selection and a chunk, and a task deleted meanwhile is skipped silently)."""
    from closetask.core.changes import apply_requests

    def before(request: PlannedRequest) -> None:
        journal.mark(entry.id, attempting=request.ids)

    reader = ReadBack(client, requests, every_bulk_put=read_back, concurrency=read_concurrency)

    def after(chunk: ChunkResult) -> None:
        if chunk.ok:
            journal.mark(entry.id, sent=chunk.ids)
        else:
            journal.mark(entry.id, failed=chunk.ids, error=chunk.error)
        reader.chunk_done(chunk)
        if on_chunk is not None:
            on_chunk(chunk)

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
    if not result.interrupted:
        reader.finish(result)
        # Read back as changed although the answer was lost: the journal says so too.
        confirmed = [i for i, how in result.settled.items() if how == "changed"]
        if confirmed:
            journal.mark(entry.id, sent=confirmed)
    if result.interrupted:
        reader.close()
        journal.mark(entry.id, status="partial", error="interrupted")
    else:
        journal.mark(entry.id, status=result.journal_status())
    return result


class ReadBack:
    """Read back what the answers left open, so that counts say what Close holds: a task
    whose PUT got no clear answer (changed or not?), and with `every_bulk_put` every task of
    a bulk PUT answered OK (Close skips a task deleted meanwhile without a word).

    A bulk chunk is read as soon as its answer is recorded, on `concurrency` threads, while
    the next chunks are sent (so the reads hide behind the PUTs); the chunks without an
    answer are read at the end. One `GET id__in` per chunk, asking only for the fields set.
    After a read fails no more are asked (the HTTP layer's retries were spent already): the
    rest stay as their answers said, and unknown stays unknown."""

    def __init__(
        self, client: Any, requests: Sequence[PlannedRequest], *, every_bulk_put: bool = False, concurrency: int = 1
    ) -> None:
        self.client, self.every_bulk_put, self.concurrency = client, every_bulk_put, max(concurrency, 1)
        self.by_ids = {r.ids: r for r in requests}
        self.reads: list[tuple[PlannedRequest, dict[str, Any], Any]] = []  # read, values set, future
        self.answered: set[str] = set()  # IDs whose PUT was answered OK
        self.failed_read = False
        self._pool: Any = None

    def _body(self, chunk: ChunkResult) -> dict[str, Any] | None:
        request = self.by_ids.get(tuple(chunk.ids))
        if request is None or request.method != "PUT" or not isinstance(request.body, dict):
            return None
        # No answer: was it applied? A bulk PUT answered OK: was every task still there?
        return request.body if chunk.unknown or (chunk.ok and request.path == TASKS) else None

    def chunk_done(self, chunk: ChunkResult) -> None:
        if chunk.ok:
            self.answered.update(chunk.ids)
            body = self._body(chunk)
            if self.every_bulk_put and body is not None:
                self._read(chunk.ids, body)

    def _read(self, ids: Sequence[str], body: dict[str, Any]) -> None:
        from closetask.core.changes import plan_fetch

        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="closetask-read")
        for read in plan_fetch(list(ids), sorted(body)):
            self.reads.append((read, body, self._pool.submit(self._send, read)))

    def _send(self, read: PlannedRequest) -> Any:
        if self.failed_read:
            return None  # Close stopped answering reads: do not pay the retries again
        try:
            return read.send(self.client)
        except ApiError:
            self.failed_read = True
            return None

    def finish(self, result: ApplyResult) -> None:
        """Read the chunks without an answer, wait for every read, and record what they found."""
        from closetask.core.conflicts import same_value

        try:
            for chunk in result.chunks:
                body = self._body(chunk)
                if chunk.unknown and body is not None and not self.failed_read:
                    self._read(chunk.ids, body)
            for read, body, future in self.reads:
                answer = future.result()
                data = answer.get("data") if isinstance(answer, dict) else None
                if not isinstance(data, list):
                    continue
                found = {t["id"]: t for t in data if isinstance(t, dict) and t.get("id") in read.ids}
                for task_id in read.ids:
                    task = found.get(task_id)
                    if task is None:
                        result.settled[task_id] = "gone"
                    elif all(same_value(k, task.get(k), v) for k, v in body.items() if k in task):
                        result.settled[task_id] = "changed"
                    elif task_id not in self.answered:
                        result.settled[task_id] = "failed"
                    # else: answered OK, and something else changed it since: it was changed.
        except KeyboardInterrupt:
            result.interrupted = True
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


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

    result = apply_requests(client, requests, missing_ok=entry.action == "create")
    if not result.interrupted:
        ReadBack(client, requests).finish(result)  # a revert whose answer was lost
    if result.interrupted:
        journal.mark_undone(entry.id, sent=result.sent, complete=False, error="interrupted", skipped=skipped)
        return result
    journal.mark_undone(
        entry.id, sent=result.sent, complete=result.ok, error="; ".join(result.errors) or None, skipped=skipped
    )
    return result


# --- what a failure means for the exit code ------------------------------------------


def counts(result: ApplyResult, *, done_verb: str = "changed") -> str:
    """`3 changed, 1 gone (deleted meanwhile), 2 not confirmed (1 unknown: ...), 4 not sent`."""
    parts = [f"{len(result.sent)} {done_verb}"]
    if result.gone:
        parts.append(f"{len(result.gone)} gone (deleted meanwhile)")
    if result.failed:
        unknown = len(result.unknown)
        why = f" ({unknown} unknown: may have been applied)" if unknown else ""
        parts.append(f"{len(result.failed)} not confirmed{why}")
    if result.not_sent:
        parts.append(f"{len(result.not_sent)} not sent")
    return ", ".join(parts)


def raise_for_failures(result: ApplyResult, *, done_verb: str, rerun: str, rerun_finishes: bool = False) -> None:
    """Interrupted: exit 130 with the counts. Some chunks failed: exit 3. All failed: the
    first error as is (its own exit code), unless `rerun_finishes` (bulk: a cron rerun of the
    same command completes the job), where only errors a rerun would repeat (key rejected,
    change invalid) keep their own code."""
    from closetask.errors import Interrupted

    if result.interrupted:
        raise Interrupted(
            f"interrupted: {counts(result, done_verb=done_verb)}",
            hint=f"{rerun}; the journal records exactly which tasks were changed",
        )
    if result.ok:
        return
    exc = result.first_exception
    if not result.sent and (not rerun_finishes or isinstance(exc, (AuthError, ValidationFailed))):
        if isinstance(exc, ApiError):
            raise exc
        raise ApiError("; ".join(result.errors) or "nothing was changed")
    error = result.errors[0] if result.errors else "stopped"
    raise PartlyDone(
        # "not confirmed" rather than "not changed": a chunk whose answer was lost may still
        # have been applied; the journal keeps it as attempted so that undo covers it.
        f"{counts(result, done_verb=done_verb)}: {error}",
        hint=f"{rerun}; the journal records exactly which tasks were changed",
    )
