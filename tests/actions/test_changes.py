"""core.changes over a real CloseClient and the fake at the transport: what bulk (issue 6)
reuses: chunked apply with per-chunk callbacks, before-state reads, grouping for undo."""

from __future__ import annotations

import httpx
import pytest

from fake_close import FakeTaskApi, make_task, tid

from closetask.core import changes
from closetask.core.timezone import TimeZone


@pytest.fixture
def fake() -> FakeTaskApi:
    return FakeTaskApi().add(*(make_task(n) for n in range(1, 251)))


@pytest.fixture
def client(fake):
    from closetask.api import CloseClient

    with CloseClient("https://api.close.com/api/v1/", "api_KEY", TimeZone.parse("-8"), transport=fake.transport(), sleep=lambda s: None) as c:
        yield c


IDS = [tid(n) for n in range(1, 251)]


def test_plan_update_chunks_by_100_with_id_in_and_type_all():
    plan = changes.plan_update(IDS, {"is_complete": True})
    assert [len(r.ids) for r in plan] == [100, 100, 50]
    assert all(r.method == "PUT" and r.path == "task/" and r.params["_type"] == "all" for r in plan)
    assert plan[0].params["id__in"] == ",".join(IDS[:100])
    assert plan[2].describe() == f'PUT /api/v1/task/?id__in={",".join(IDS[200:])}&_type=all {{"is_complete": true}}'


def test_plan_update_goes_task_by_task_for_text_or_one_task():
    assert [r.path for r in changes.plan_update(IDS[:2], {"text": "x"})] == [f"task/{IDS[0]}/", f"task/{IDS[1]}/"]
    assert [r.path for r in changes.plan_update(IDS[:1], {"date": "2026-12-01"})] == [f"task/{IDS[0]}/"]
    assert changes.plan_update([], {"date": "2026-12-01"}) == []
    with pytest.raises(ValueError):
        changes.plan_update(IDS[:2], {})


def test_apply_update_reports_each_chunk_in_order(client, fake):
    calls = []
    result = changes.apply_update(
        client, IDS, {"assigned_to": "user_X"}, chunk=100,
        before_chunk=lambda r: calls.append(("before", len(r.ids))),
        on_chunk=lambda c: calls.append(("after", len(c.ids), c.ok)),
    )  # fmt: skip
    assert calls == [("before", 100), ("after", 100, True), ("before", 100), ("after", 100, True), ("before", 50), ("after", 50, True)]
    assert result.ok and result.sent == IDS and result.journal_status() == "applied"
    assert len(fake.lines("PUT")) == 3
    assert all(t["assigned_to"] == "user_X" for t in fake.tasks.values())
    # Every request carried the user's offset (the client's job, checked once here).
    assert {h["x-tz-offset"] for h in fake.headers} == {"-8"}


def test_should_stop_stops_after_the_chunk_in_flight(client, fake):
    sent = []
    result = changes.apply_update(client, IDS, {"is_complete": True}, on_chunk=sent.append, should_stop=lambda: len(sent) >= 1)
    assert result.stopped and result.sent == IDS[:100] and result.not_sent == IDS[100:]
    assert result.journal_status() == "partial"
    assert len(fake.lines("PUT")) == 1


def test_a_keyboard_interrupt_mid_request_is_reported_then_raised(client, fake):
    def interrupt(s):
        if s.method == "PUT" and IDS[100] in s.params["id__in"]:
            raise KeyboardInterrupt
        return None

    fake.hook = interrupt
    seen = []
    with pytest.raises(KeyboardInterrupt):
        changes.apply_update(client, IDS, {"is_complete": True}, on_chunk=seen.append)
    assert [(c.ok, len(c.ids)) for c in seen] == [(True, 100), (False, 100)]
    assert seen[1].error == "interrupted while the request was in flight"


def test_fetch_tasks_is_one_get_per_chunk_and_names_missing_ids(client, fake):
    got = changes.fetch_tasks(client, IDS, ["is_complete"])
    assert list(got) == IDS
    assert got[IDS[0]] == {"id": IDS[0], "is_complete": False}
    assert len(fake.lines("GET")) == 3
    from closetask.errors import NotFound

    with pytest.raises(NotFound) as info:
        changes.fetch_tasks(client, [IDS[0], "task_Nope0123456789abcdef"])
    assert str(info.value) == "no such task: task_Nope0123456789abcdef"


def test_group_by_before_and_revert(client, fake):
    before = [
        {"id": IDS[0], "fields": {"is_complete": False, "date": "2026-11-01"}},
        {"id": IDS[1], "fields": {"date": "2026-11-01", "is_complete": False}},
        {"id": IDS[2], "fields": {"is_complete": True, "date": "2026-11-01"}},
        {"id": IDS[3], "fields": {"is_complete": False, "date": "2026-11-01"}},
    ]
    groups = changes.group_by_before(before)
    assert groups == [
        ({"is_complete": False, "date": "2026-11-01"}, [IDS[0], IDS[1], IDS[3]]),
        ({"is_complete": True, "date": "2026-11-01"}, [IDS[2]]),
    ]
    assert changes.group_by_before(before, only=[IDS[2]]) == [({"is_complete": True, "date": "2026-11-01"}, [IDS[2]])]
    result = changes.revert(client, before)
    assert result.ok
    assert fake.lines("PUT") == [f"PUT task/?id__in={IDS[0]},{IDS[1]},{IDS[3]}&_type=all", f"PUT task/{IDS[2]}/"]
    assert fake.tasks[IDS[2]]["is_complete"] is True and fake.tasks[IDS[0]]["date"] == "2026-11-01"


def test_a_deleted_task_counts_as_done_for_missing_ok(client, fake):
    plan = changes.plan_delete([IDS[0], "task_Gone0123456789abcdef"])
    result = changes.apply_requests(client, plan, missing_ok=True)
    assert result.ok
    strict = changes.apply_requests(client, changes.plan_delete(["task_Gone0123456789abcdef"]))
    assert not strict.ok and strict.errors == ["Close answered 404: Empty query: Task matching query does not exist."]


def test_auth_errors_stop_the_run(client, fake):
    fake.hook = lambda s: httpx.Response(401, json={"error": "bad key"}) if s.method == "PUT" else None
    result = changes.apply_update(client, IDS, {"is_complete": True})
    assert len(fake.lines("PUT")) == 1
    assert result.not_sent == IDS[100:] and result.journal_status() == "failed"
