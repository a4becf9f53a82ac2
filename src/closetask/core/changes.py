"""Sending changes to tasks: planned as requests, applied in chunks, reverted from the journal.

Pure over a client object with `.get(path, params)`, `.put(path, body, params)` and
`.delete(path)` (closetask.close.http.CloseClient in the CLI, a fake in tests).

Close's bulk `PUT /task/?<filters>` applies the GET filters, and without `_type` the GET
filters touch lead tasks only (Tasks page): every bulk request here carries `id__in` *and*
`_type=all`, never a filter alone. `text` cannot go through a bulk PUT (only assigned_to, date
and is_complete can), so a change with `text` goes task by task through `PUT /task/{id}/`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from closetask.close.tasks import TASKS, task_path
from closetask.errors import ApiError, AuthError, NetworkError, NotFound, ServerError, ValidationFailed

CHUNK_SIZE = 100  # IDs per bulk request: keeps the URL well under common 8 KB limits
BULK_FIELDS = frozenset({"assigned_to", "date", "is_complete"})
# Fields fetched alongside the before-state so messages can name the tasks.
LABEL_FIELDS = ("id", "_type", "text", "subject", "lead_name", "phone_formatted", "remote_phone_formatted")


@dataclass(frozen=True)
class PlannedRequest:
    """One request as it will be sent; `describe()` is what --dry-run prints."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    ids: tuple[str, ...] = ()

    def describe(self, prefix: str = "/api/v1/") -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        line = f"{self.method} {prefix}{self.path}" + (f"?{query}" if query else "")
        if self.body is not None:
            line += " " + json.dumps(self.body, ensure_ascii=False)
        return line

    def send(self, client: Any) -> Any:
        if self.method == "PUT":
            return client.put(self.path, self.body, params=dict(self.params) or None)
        if self.method == "DELETE":
            return client.delete(self.path)
        if self.method == "POST":
            return client.post(self.path, self.body)
        return client.get(self.path, dict(self.params) or None)


@dataclass
class ChunkResult:
    """The outcome of one request: `ok`, or the error; `task` is the answer of a single PUT.

    A request that failed is `unknown` when it was sent and no answer said it was refused (a
    lost connection, a time-out, a 5xx, Ctrl-C while it was out): Close may have applied it.
    It is `gone` when Close does not know the task (a 404: deleted meanwhile)."""

    ids: list[str]
    ok: bool
    error: str | None = None
    exception: Exception | None = field(default=None, repr=False)
    task: dict[str, Any] | None = None
    unknown: bool = False
    gone: bool = False

    @property
    def outcome(self) -> str:
        if self.ok:
            return "changed"
        return "gone" if self.gone else "unknown" if self.unknown else "failed"


OUTCOMES = ("changed", "failed", "unknown", "gone")


@dataclass
class ApplyResult:
    """What is known of each task after sending: `sent` (changed, confirmed), `failed` (not
    confirmed; `unknown` are those of them that may have been applied all the same), `gone`
    (deleted meanwhile) and `not_sent`. `settled` holds what a read-back found afterwards
    (core.apply.settle) and overrides what the answers said."""

    chunks: list[ChunkResult] = field(default_factory=list)
    stopped: bool = False  # should_stop() asked to stop before every chunk was sent
    not_sent: list[str] = field(default_factory=list)
    settled: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False  # a KeyboardInterrupt stopped it at once (requests in flight: unknown)

    def outcomes(self) -> dict[str, str]:
        """Task ID -> changed, failed, unknown or gone, in the order sent."""
        out = {i: c.outcome for c in self.chunks for i in c.ids}
        out.update((i, how) for i, how in self.settled.items() if i in out)
        return out

    def _with(self, *wanted: str) -> list[str]:
        return [i for i, how in self.outcomes().items() if how in wanted]

    @property
    def sent(self) -> list[str]:
        return self._with("changed")

    @property
    def failed(self) -> list[str]:
        return self._with("failed", "unknown")

    @property
    def unknown(self) -> list[str]:
        return self._with("unknown")

    @property
    def gone(self) -> list[str]:
        return self._with("gone")

    @property
    def errors(self) -> list[str]:
        return [c.error for c in self.chunks if not c.ok and c.error]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_sent and not self.interrupted

    @property
    def first_exception(self) -> Exception | None:
        return next((c.exception for c in self.chunks if c.exception is not None), None)

    @property
    def tasks(self) -> dict[str, dict[str, Any]]:
        """Task objects answered by single PUTs (bulk PUTs answer no tasks)."""
        return {c.task["id"]: c.task for c in self.chunks if c.ok and isinstance(c.task, dict) and "id" in c.task}

    def journal_status(self) -> str:
        if self.ok:
            return "applied"
        return "partial" if self.sent or self.unknown else "failed"


def chunked(items: Sequence[str], size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    if size < 1:
        raise ValueError("chunk size must be >= 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- planning -------------------------------------------------------------------------


def plan_update(ids: Sequence[str], fields: Mapping[str, Any], *, chunk: int = CHUNK_SIZE) -> list[PlannedRequest]:
    """The requests that set `fields` on `ids`: bulk PUTs by ID in chunks, or one PUT per
    task when there is a single task or `text` is among the fields."""
    if not ids:
        return []
    if not fields:
        raise ValueError("nothing to change")
    body = dict(fields)
    if len(ids) == 1 or not set(body) <= BULK_FIELDS:
        return [PlannedRequest("PUT", task_path(task_id), body=body, ids=(task_id,)) for task_id in ids]
    return [
        PlannedRequest("PUT", TASKS, {"id__in": ",".join(part), "_type": "all"}, body, tuple(part))
        for part in chunked(ids, chunk)
    ]


def plan_delete(ids: Sequence[str]) -> list[PlannedRequest]:
    # Close has no bulk delete; one DELETE per task is the only way.
    return [PlannedRequest("DELETE", task_path(task_id), ids=(task_id,)) for task_id in ids]


def plan_fetch(
    ids: Sequence[str], fields: Iterable[str] | None = None, *, chunk: int = CHUNK_SIZE
) -> list[PlannedRequest]:
    params_base: dict[str, str] = {"_type": "all"}
    if fields is not None:
        wanted = list(dict.fromkeys(["id", *fields]))
        params_base["_fields"] = ",".join(wanted)
    return [
        PlannedRequest(
            "GET", TASKS, {"id__in": ",".join(part), **params_base, "_limit": str(len(part))}, ids=tuple(part)
        )
        for part in chunked(ids, chunk)
    ]


# --- reading --------------------------------------------------------------------------


def fetch_tasks(
    client: Any,
    ids: Sequence[str],
    fields: Iterable[str] | None = None,
    *,
    chunk: int = CHUNK_SIZE,
    require_all: bool = True,
) -> dict[str, dict[str, Any]]:
    """Tasks by ID with one `GET /task/?id__in=...&_type=all` per chunk (trimmed to `fields`).

    Raises NotFound naming the IDs Close does not know when `require_all` (a bulk PUT by ID
    would silently skip them, so they are caught here, before anything is changed).
    """
    found: dict[str, dict[str, Any]] = {}
    for request in plan_fetch(ids, fields, chunk=chunk):
        body = request.send(client)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise ApiError("unexpected answer from Close for task/: not a list envelope")
        for task in data:
            if isinstance(task, dict) and task.get("id") in request.ids:
                found[task["id"]] = task
    if require_all:
        missing = [i for i in ids if i not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            noun = "task" if len(missing) == 1 else "tasks"
            raise NotFound(f"no such {noun}: {shown}", status=404)
    return {i: found[i] for i in ids if i in found}


def before_state(tasks: Mapping[str, Mapping[str, Any]], fields: Iterable[str]) -> list[dict[str, Any]]:
    """Journal before-records: for each task, the current value of each field about to change."""
    names = list(fields)
    return [{"id": task_id, "fields": {f: task.get(f) for f in names}} for task_id, task in tasks.items()]


def needs_change(task: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    return any(task.get(name) != value for name, value in fields.items())


# --- applying -------------------------------------------------------------------------

# Errors that will repeat on every chunk: stop instead of sending the rest.
_FATAL = (AuthError, ValidationFailed)


def apply_requests(
    client: Any,
    requests: Sequence[PlannedRequest],
    *,
    before_chunk: Callable[[PlannedRequest], None] | None = None,
    on_chunk: Callable[[ChunkResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    missing_ok: bool = False,
    in_flight: int = 1,
    stop_on: tuple[type[Exception], ...] = (),
) -> ApplyResult:
    """Send `requests` in order, recording each outcome; one failing chunk does not stop the
    others (a rerun finishes them), except errors that would repeat (key rejected, invalid)
    and those in `stop_on` (bulk: a server error or time-out that outlasted the retries, when
    the next chunk would most likely meet the same; the rerun finishes the rest).

    `in_flight` > 1 keeps up to that many requests out at once (each in its own thread), so
    one request's round trip hides behind another's; the first request still goes alone, so a
    rejected key or a refused change costs one request, as it does one at a time. Outcomes
    are recorded in request order, on the calling thread.

    `before_chunk` runs before each request leaves (the journal's "attempting" mark),
    `on_chunk` when its outcome is recorded; `should_stop` is checked before each request
    (Ctrl-C during a bulk stops sending; the requests already out finish and are recorded).
    A KeyboardInterrupt stops at once: the requests out are recorded as `unknown` (sent, no
    answer), the rest as not sent, and the result says `interrupted` (the caller reports the
    counts and exits 130). `missing_ok`: a 404 counts as done (a DELETE of a task already gone).
    """
    from collections import deque

    if in_flight < 1:
        raise ValueError("in_flight must be >= 1")
    result = ApplyResult()
    out: deque[tuple[PlannedRequest, Any]] = deque()  # sent, outcome not yet recorded
    following = 0  # the index of the next request to send
    sending = True

    def record(chunk: ChunkResult) -> None:
        nonlocal sending
        result.chunks.append(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
        if not chunk.ok and isinstance(chunk.exception, (*_FATAL, *stop_on)):
            sending = False

    try:
        while True:
            room = in_flight if result.chunks else 1
            while sending and following < len(requests) and len(out) < room:
                if should_stop is not None and should_stop():
                    result.stopped, sending = True, False
                    break
                request = requests[following]
                if before_chunk is not None:
                    before_chunk(request)
                following += 1
                # In `out` before it leaves: a KeyboardInterrupt while it is sent (on this
                # thread, one at a time) records it as unknown.
                out.append((request, None))
                out[-1] = (request, _send_now(client, request) if in_flight == 1 else _send_in_thread(client, request))
            if not out:
                break
            request, answer = out[0]
            chunk = _outcome(request, answer, missing_ok)
            out.popleft()
            record(chunk)
    except KeyboardInterrupt:
        # Stopped at once: what is out was sent and never answered, so it may have applied.
        for request, _ in out:
            chunk = ChunkResult(list(request.ids), False, "interrupted while the request was in flight", unknown=True)
            result.chunks.append(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
        result.interrupted = True
    result.not_sent = [i for r in requests[following:] for i in r.ids]
    return result


def _send_now(client: Any, request: PlannedRequest) -> Callable[[], Any]:
    """Send on this thread; the answer (or the API error) is kept for `_outcome`."""
    try:
        answer = request.send(client)
    except ApiError as exc:
        error = exc

        def fail() -> Any:
            raise error

        return fail
    return lambda: answer


def _send_in_thread(client: Any, request: PlannedRequest) -> Callable[[], Any]:
    """Send on a daemon thread (so an interrupted run exits without waiting for it); the
    returned callable waits for the answer. The client must be thread-safe (httpx is)."""
    import threading
    from concurrent.futures import Future

    future: Future[Any] = Future()

    def work() -> None:
        try:
            future.set_result(request.send(client))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread as is
            future.set_exception(exc)

    threading.Thread(target=work, name="closetask-send", daemon=True).start()
    return future.result


def _outcome(request: PlannedRequest, answer: Callable[[], Any], missing_ok: bool) -> ChunkResult:
    try:
        body = answer()
    except ApiError as exc:
        if missing_ok and isinstance(exc, NotFound):
            return ChunkResult(list(request.ids), True)
        single = request.path != TASKS
        return ChunkResult(
            list(request.ids),
            False,
            exc.message,
            exc,
            gone=single and isinstance(exc, NotFound),
            # No answer, or one that does not say the change was refused: it may have applied.
            unknown=isinstance(exc, (NetworkError, ServerError)),
        )
    task = body if isinstance(body, dict) and body.get("id") in request.ids else None
    return ChunkResult(list(request.ids), True, task=task)


# --- undo -----------------------------------------------------------------------------


def group_by_before(
    before: Iterable[Mapping[str, Any]], only: Iterable[str] | None = None
) -> list[tuple[dict[str, Any], list[str]]]:
    """Group task IDs by identical before-values: each group is reverted with bulk PUTs.

    `only` limits the groups to those IDs (the ones the server may have changed). Groups come
    in the order their first task appears.
    """
    allowed = set(only) if only is not None else None
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for item in before:
        task_id = str(item.get("id"))
        if allowed is not None and task_id not in allowed:
            continue
        fields = dict(item.get("fields") or {})
        key = json.dumps(fields, sort_keys=True)
        groups.setdefault(key, (fields, []))[1].append(task_id)
    return [(fields, ids) for fields, ids in groups.values() if fields]


def plan_revert(
    before: Iterable[Mapping[str, Any]], only: Iterable[str] | None = None, *, chunk: int = CHUNK_SIZE
) -> list[PlannedRequest]:
    """The requests that put every task back to its before-values."""
    requests: list[PlannedRequest] = []
    for fields, ids in group_by_before(before, only):
        requests.extend(plan_update(ids, fields, chunk=chunk))
    return requests
