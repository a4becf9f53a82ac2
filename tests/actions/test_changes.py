"""core.changes over a real CloseClient and the fake at the transport: what bulk (issue 6)
reuses: chunked apply with per-chunk callbacks, before-state reads, grouping for undo."""

from __future__ import annotations

import httpx
import pytest

from closetask.core import changes
from closetask.core.timezone import TimeZone

from fake_close import FakeTaskApi, make_task, tid


@pytest.fixture
def fake() -> FakeTaskApi:
    return FakeTaskApi().add(*(make_task(n) for n in range(1, 251)))


@pytest.fixture
def client(fake):
    from closetask.close.http import CloseClient

    with CloseClient(
        "https://api.close.com/api/v1/",
        "api_KEY",
        TimeZone.parse("-8"),
        transport=fake.transport(),
        sleep=lambda s: None,
    ) as c:
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
    result = changes.apply_requests(
        client,
        changes.plan_update(IDS, {"assigned_to": "user_X"}, chunk=100),
        before_chunk=lambda r: calls.append(("before", len(r.ids))),
        on_chunk=lambda c: calls.append(("after", len(c.ids), c.ok)),
    )
    assert calls == [
        ("before", 100),
        ("after", 100, True),
        ("before", 100),
        ("after", 100, True),
        ("before", 50),
        ("after", 50, True),
    ]
    assert result.ok and result.sent == IDS and result.journal_status() == "applied"
    assert len(fake.lines("PUT")) == 3
    assert all(t["assigned_to"] == "user_X" for t in fake.tasks.values())
    # Every request carried the user's offset (the client's job, checked once here).
    assert {h["x-tz-offset"] for h in fake.headers} == {"-8"}


def test_should_stop_stops_after_the_chunk_in_flight(client, fake):
    sent = []
    plan = changes.plan_update(IDS, {"is_complete": True})
    result = changes.apply_requests(client, plan, on_chunk=sent.append, should_stop=lambda: len(sent) >= 1)
    assert result.stopped and result.sent == IDS[:100] and result.not_sent == IDS[100:]
    assert result.journal_status() == "partial"
    assert len(fake.lines("PUT")) == 1


def test_a_keyboard_interrupt_mid_request_counts_what_was_out_as_unknown(client, fake):
    def interrupt(s):
        if s.method == "PUT" and IDS[100] in s.params["id__in"]:
            raise KeyboardInterrupt
        return None

    fake.hook = interrupt
    seen = []
    result = changes.apply_requests(client, changes.plan_update(IDS, {"is_complete": True}), on_chunk=seen.append)
    assert [(c.ok, len(c.ids)) for c in seen] == [(True, 100), (False, 100)]
    assert seen[1].error == "interrupted while the request was in flight"
    # Sent and never answered: it may have applied, so it is unknown, not "not changed".
    assert result.interrupted and not result.ok
    assert result.sent == IDS[:100] and result.unknown == IDS[100:200] and result.not_sent == IDS[200:]
    assert result.failed == result.unknown  # failed keeps its meaning: not confirmed


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
    result = changes.apply_requests(client, changes.plan_revert(before))
    assert result.ok
    assert fake.lines("PUT") == [f"PUT task/?id__in={IDS[0]},{IDS[1]},{IDS[3]}&_type=all", f"PUT task/{IDS[2]}/"]
    assert fake.tasks[IDS[2]]["is_complete"] is True and fake.tasks[IDS[0]]["date"] == "2026-11-01"


def test_a_deleted_task_counts_as_done_for_missing_ok(client, fake):
    plan = changes.plan_delete([IDS[0], "task_Gone0123456789abcdef"])
    result = changes.apply_requests(client, plan, missing_ok=True)
    assert result.ok
    strict = changes.apply_requests(client, changes.plan_delete(["task_Gone0123456789abcdef"]))
    # Without missing_ok a 404 is counted as gone (deleted meanwhile), not as changed.
    assert strict.gone == ["task_Gone0123456789abcdef"] and not strict.sent and not strict.failed
    assert strict.errors == ["Close answered 404: Empty query: Task matching query does not exist."]


def test_auth_errors_stop_the_run(client, fake):
    fake.hook = lambda s: httpx.Response(401, json={"error": "bad key"}) if s.method == "PUT" else None
    result = changes.apply_requests(client, changes.plan_update(IDS, {"is_complete": True}))
    assert len(fake.lines("PUT")) == 1
    assert result.not_sent == IDS[100:] and result.journal_status() == "failed"


# --- two requests in flight (bulk's default) --------------------------------------------


def test_two_in_flight_overlap_after_the_first_and_are_recorded_in_order(client, fake):
    import threading

    lock = threading.Lock()
    out, most = [0], []
    third_arrived = threading.Event()

    def hook(s):
        if s.method != "PUT":
            return None
        with lock:
            out[0] += 1
            most.append(out[0])
        if IDS[100] in s.params["id__in"]:
            third_arrived.set()
        if IDS[50] in s.params["id__in"]:
            third_arrived.wait(5)  # chunk 2 is still out when chunk 3 arrives
        with lock:
            out[0] -= 1
        return None

    fake.hook = hook
    calls = []
    result = changes.apply_requests(
        client,
        changes.plan_update(IDS, {"is_complete": True}, chunk=50),
        in_flight=2,
        before_chunk=lambda r: calls.append(("before", r.ids[0])),
        on_chunk=lambda c: calls.append(("after", c.ids[0])),
    )
    assert third_arrived.is_set()
    assert most[0] == 1 and max(most) == 2  # the first alone, then never more than two
    first = [IDS[i] for i in range(0, 250, 50)]
    assert calls == [
        ("before", first[0]),
        ("after", first[0]),
        ("before", first[1]),
        ("before", first[2]),
        ("after", first[1]),
        ("before", first[3]),
        ("after", first[2]),
        ("before", first[4]),
        ("after", first[3]),
        ("after", first[4]),
    ]
    assert result.ok and result.sent == IDS and [len(c.ids) for c in result.chunks] == [50] * 5
    assert fake.complete_ids() == set(IDS)


def test_two_in_flight_a_rejected_key_still_costs_one_request(client, fake):
    fake.hook = lambda s: httpx.Response(401, json={"error": "bad key"}) if s.method == "PUT" else None
    result = changes.apply_requests(client, changes.plan_update(IDS, {"is_complete": True}, chunk=50), in_flight=2)
    assert len(fake.lines("PUT")) == 1
    assert result.failed == IDS[:50] and result.not_sent == IDS[50:]


def test_two_in_flight_an_invalid_change_lets_the_other_chunk_out_finish_then_stops(client, fake):
    def hook(s):
        if s.method == "PUT" and IDS[50] in s.params["id__in"]:
            return httpx.Response(400, json={"errors": ["nope"]})
        return None

    fake.hook = hook
    result = changes.apply_requests(client, changes.plan_update(IDS, {"is_complete": True}, chunk=50), in_flight=2)
    # Chunk 3 was already out beside chunk 2: it is recorded; chunks 4 and 5 never leave.
    assert [(c.ids[0], c.ok) for c in result.chunks] == [(IDS[0], True), (IDS[50], False), (IDS[100], True)]
    assert result.not_sent == IDS[150:]
    assert len(fake.lines("PUT")) == 3 and fake.complete_ids() == set(IDS[:50] + IDS[100:150])


def test_two_in_flight_a_signal_records_both_chunks_out_as_unknown_and_stops_at_once(client, fake):
    import os
    import signal
    import threading

    both_out, release = threading.Event(), threading.Event()

    def hook(s):
        if s.method == "PUT" and IDS[100] in s.params["id__in"]:
            both_out.set()
            release.wait(5)
        elif s.method == "PUT" and IDS[50] in s.params["id__in"]:
            both_out.wait(5)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while chunks 2 and 3 are out
            release.wait(5)
        return None

    fake.hook = hook
    seen = []
    # Python's own Ctrl-C handler, whatever this process inherited (a shell runs background
    # jobs with SIGINT ignored, and Python then keeps it ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        plan = changes.plan_update(IDS, {"is_complete": True}, chunk=50)
        result = changes.apply_requests(client, plan, in_flight=2, on_chunk=seen.append)
    finally:
        release.set()
        signal.signal(signal.SIGINT, previous)
    assert [(c.ids[0], c.ok, c.error) for c in seen] == [
        (IDS[0], True, None),
        (IDS[50], False, "interrupted while the request was in flight"),
        (IDS[100], False, "interrupted while the request was in flight"),
    ]
    assert len(fake.lines("PUT")) == 3  # chunks 4 and 5 never left
    assert result.interrupted and result.unknown == IDS[50:150] and result.not_sent == IDS[150:]
