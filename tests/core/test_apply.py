"""core/apply.py, the one journaled change flow, with its client and journal injected.

One event log shows the order in which the journal and the server saw things: the journal
entry exists before the first request leaves, every chunk is marked before it is sent, and
the final status says what is known.
"""

from __future__ import annotations

from typing import Any

import pytest

from closetask.core.apply import change, create, plan_update_of, raise_for_failures, revert
from closetask.core.changes import PlannedRequest, plan_update
from closetask.errors import NetworkError, PartlyDone, ServerError
from closetask.state.journal import UndoJournal


class Log:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []


class FakeClient:
    """Answers PUTs and POSTs; `fail` maps a path to the exception that request raises."""

    def __init__(self, log: Log, fail: dict[str, Exception] | None = None) -> None:
        self.log, self.fail = log, fail or {}

    def _send(self, method: str, path: str, params: Any) -> Any:
        self.log.events.append((method, (path, tuple(sorted((params or {}).items())))))
        if path in self.fail:
            raise self.fail[path]
        return {"id": "task_new0123456789abcdefghijkl"} if method == "POST" else {}

    def put(self, path: str, body: Any, params: Any = None) -> Any:
        return self._send("PUT", path, params)

    def post(self, path: str, body: Any) -> Any:
        return self._send("POST", path, None)

    def delete(self, path: str) -> Any:
        return self._send("DELETE", path, None)

    def get(self, path: str, params: Any = None) -> Any:
        # The read-back after a lost answer: it fails too here, so the tasks stay unknown.
        self.log.events.append(("GET", (path, ())))
        raise ServerError("Close answered 503", status=503)


class LoggedJournal(UndoJournal):
    """The real journal file, with each write also put in the shared log."""

    def __init__(self, path, log: Log) -> None:
        super().__init__(path, clock=lambda: "2026-11-28T10:00:00+00:00")
        self.log = log

    def _append(self, record) -> None:
        self.log.events.append(
            ("journal", record.get("kind"), record.get("status"), tuple(record.get("attempting", ())))
        )
        super()._append(record)


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def journal(tmp_path, log) -> LoggedJournal:
    return LoggedJournal(tmp_path / "journal.jsonl", log)


def ids(n: int) -> list[str]:
    return [f"task_{i:04d}abcdefghijklmnopq" for i in range(n)]


def test_the_entry_is_written_before_the_first_request_and_each_chunk_is_marked_first(log, journal):
    todo = ids(150)  # two bulk chunks: 100 + 50
    entry, result = change(
        FakeClient(log),
        journal,
        command="done 1",
        action="update",
        before=[{"id": i, "fields": {"is_complete": False}} for i in todo],
        changes={"is_complete": True},
        requests=plan_update(todo, {"is_complete": True}),
    )
    kinds = [e[0] if e[0] != "journal" else f"journal:{e[1]}:{e[2] or ''}:{len(e[3])}" for e in log.events]
    assert kinds == [
        "journal:entry:pending:0",
        "journal:mark::100",  # attempting the first chunk
        "PUT",
        "journal:mark::0",  # sent
        "journal:mark::50",
        "PUT",
        "journal:mark::0",
        "journal:mark:applied:0",
    ]
    assert result.ok and result.sent == todo
    assert journal.get(entry.id).status == "applied"


def test_a_failed_chunk_leaves_a_partial_entry_that_knows_which_tasks_changed(log, journal):
    todo = ids(150)
    requests = plan_update(todo, {"is_complete": True})
    # Both chunks PUT task/?id__in=...: the second fails, told apart by its params.
    client = FakeClient(log)
    second = dict(requests[1].params)

    def put(path: str, body: Any, params: Any = None) -> Any:
        if params == second:
            raise ServerError("Close answered 503", status=503)
        return {}

    client.put = put  # type: ignore[method-assign]
    entry, result = change(
        client,
        journal,
        command="done",
        action="update",
        before=[{"id": i, "fields": {"is_complete": False}} for i in todo],
        changes={"is_complete": True},
        requests=requests,
    )
    assert result.sent == todo[:100] and result.failed == todo[100:]
    # A 503 says nothing of whether it applied, and the read-back failed too: unknown.
    assert result.unknown == todo[100:]
    stored = journal.get(entry.id)
    assert stored.status == "partial" and stored.touched == todo  # failed ones stay attempted: undo covers them
    with pytest.raises(PartlyDone) as info:
        raise_for_failures(result, done_verb="changed", rerun="run it again")
    assert info.value.message == "100 changed, 50 not confirmed (50 unknown: may have been applied): Close answered 503"


def test_create_journals_the_post_and_keeps_the_new_id(log, journal):
    request = PlannedRequest("POST", "task/", body={"lead_id": "lead_x", "text": "Call"})
    task = create(FakeClient(log), journal, command="add Call --lead lead_x", request=request)
    (entry,) = journal.entries()
    assert [e[0] for e in log.events][:2] == ["journal", "POST"]
    assert entry.action == "create" and entry.status == "applied" and entry.touched == [task["id"]]


def test_a_post_without_an_answer_is_journaled_as_failed(log, journal):
    request = PlannedRequest("POST", "task/", body={"lead_id": "lead_x", "text": "Call"})
    client = FakeClient(log, fail={"task/": NetworkError("timed out talking to api.close.com")})
    with pytest.raises(NetworkError):
        create(client, journal, command="add Call", request=request)
    (entry,) = journal.entries()
    assert entry.status == "failed" and entry.errors == ["timed out talking to api.close.com"]


def test_a_partial_revert_leaves_the_entry_undoable(log, journal):
    todo = ids(2)
    entry, _ = change(
        FakeClient(log),
        journal,
        command="reassign",
        action="update",
        before=[{"id": i, "fields": {"assigned_to": "user_a"}} for i in todo],
        changes={"assigned_to": "user_b"},
        requests=plan_update(todo, {"assigned_to": "user_b"}, chunk=1),
    )
    stored = journal.get(entry.id)
    requests = [PlannedRequest("PUT", f"task/{i}/", body={"assigned_to": "user_a"}, ids=(i,)) for i in todo]
    flaky = FakeClient(log, fail={f"task/{todo[1]}/": ServerError("Close answered 502", status=502)})
    result = revert(flaky, journal, stored, requests)
    assert result.sent == todo[:1] and result.failed == todo[1:]
    assert journal.last_undoable().id == entry.id  # still undoable: a rerun finishes it
    result = revert(FakeClient(log), journal, journal.get(entry.id), requests)
    assert result.ok and journal.get(entry.id).status == "undone"


def test_plan_update_of_skips_tasks_already_so():
    current = {
        "task_a": {"id": "task_a", "is_complete": True},
        "task_b": {"id": "task_b", "is_complete": False},
    }
    plan = plan_update_of(current, ["task_a", "task_b"], {"is_complete": True})
    assert plan.todo == ["task_b"] and plan.skipped == ["task_a"]
    assert plan.before == [{"id": "task_b", "fields": {"is_complete": False}}]
