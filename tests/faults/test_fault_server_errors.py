"""5xx bursts, dropped connections, broken error bodies and a server slower than the read
time-out, against `closetask sandbox serve`: what is retried (only what is safe to repeat),
what the user is told (one line), and that the server ends up with each change once.

Most run closetask in-process over HTTP (`against`) with the back-off waits recorded rather
than slept; the installed command is run where the process itself matters.
"""

from __future__ import annotations

import json
import time

import pytest

from fault_server import db_tasks, journal_entries, logged, write_profile

pytestmark = pytest.mark.e2e


def first_open_task(server) -> str:
    tasks = db_tasks(server)
    return sorted(i for i, t in tasks.items() if not t["is_complete"])[0]


def any_lead(server) -> str:
    return next(t["lead_id"] for t in db_tasks(server).values() if t["lead_id"])


def wait_for_log(server, count: int) -> None:
    """The server logs a request when it has answered it; a client that gave up earlier does
    not wait for that, so the test does (bounded; the assertion is on the log, not the time)."""
    deadline = time.monotonic() + 20
    while len(server.requests()) < count and time.monotonic() < deadline:
        time.sleep(0.05)


# --- listing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, window",
    [("503", "2:3"), ("504", "2:2"), ("reset", "2:3"), ("html", "2:2"), ("empty", "2:2")],
)
def test_a_listing_retries_failed_pages_and_lists_every_task_once(serve, against, mode, window):
    server = serve("--fail-method", "GET", "--fail-mode", mode, "--fail-window", window)
    write_profile(against.home, page_size=10)
    first, last = (int(n) for n in window.split(":"))

    listed = against(server, "inbox", "--assignee", "all", "--json").clean()
    assert listed.exit_code == 0, listed.stderr
    lines = logged(server)
    # Page 2 failed (once or twice) and was asked again; the pages before and after were not.
    status = {"reset": "RESET", "html": "502", "empty": "503"}.get(mode, mode)
    failed = last - first + 1
    assert [line.status for line in lines] == ["200"] + [status] * failed + ["200"] * (len(lines) - failed - 1)
    assert len({line.target for line in lines[1 : failed + 2]}) == 1
    assert (
        "date_created__gte=" in lines[1].target and "_limit=11" in lines[1].target
    )  # the second range, overlapping a row
    # Bounded, growing back-off between the tries (0.5 s, then 1 s, each +-50%).
    assert len(against.sleeps) == last - first + 1
    assert all(0.25 <= wait <= 0.75 * 2**n for n, wait in enumerate(against.sleeps))

    # The same command once the window has passed: the same tasks, each once, same order.
    again = against(server, "inbox", "--assignee", "all", "--json")
    ids = [t["id"] for t in json.loads(listed.stdout)]
    assert ids == [t["id"] for t in json.loads(again.stdout)]
    assert len(ids) == len(set(ids)) > 20


def test_a_500_on_a_listing_is_retried_then_said_in_one_line(serve, against):
    """A read answered 500 is repeated (it changes nothing), up to five tries."""
    server = serve("--fail-method", "GET", "--fail-mode", "truncated", "--fail-rate", "1")
    result = against(server, "inbox", "--assignee", "all")
    assert result.fails(1) == "error: Close answered 500: a body that is not JSON instead of Close's JSON"
    assert result.stdout == ""
    assert [line.status for line in logged(server)] == ["500"] * 5


def test_a_500_on_a_listing_that_clears_is_not_seen(serve, against):
    server = serve("--fail-method", "GET", "--fail-mode", "500", "--fail-window", "1:1")
    result = against(server, "inbox", "--assignee", "all", "--ids").clean()
    assert result.exit_code == 0 and result.stdout.strip()
    assert [line.status for line in logged(server)][:2] == ["500", "200"]


# --- single changes -----------------------------------------------------------------------


@pytest.mark.parametrize("mode, logged_as", [("503", "503"), ("reset", "RESET"), ("reset-after", "RESET")])
def test_a_put_that_failed_is_repeated_and_applied_once(serve, against, mode, logged_as):
    """A PUT sets values, so repeating it is harmless, even after `reset-after`, where the
    first one was applied and only its answer was lost."""
    server = serve("--fail-method", "PUT", "--fail-mode", mode, "--fail-window", "1:1")
    task_id = first_open_task(server)
    before = db_tasks(server)[task_id]

    done = against(server, "done", task_id).clean()
    assert done.exit_code == 0, done.stderr
    assert done.stderr.startswith("Completed 1 task: ")
    puts = [(line.target, line.status) for line in logged(server) if line.method == "PUT"]
    assert puts == [(f"/api/v1/task/{task_id}/", logged_as), (f"/api/v1/task/{task_id}/", "200")]
    after = db_tasks(server)[task_id]
    assert after["is_complete"] is True
    (entry,) = journal_entries(against.home)
    assert (entry.status, entry.sent, entry.failed, entry.in_flight) == ("applied", [task_id], [], [])

    undone = against(server, "undo", "--yes").clean()
    assert undone.exit_code == 0, undone.stderr
    restored = db_tasks(server)[task_id]
    assert {k: restored[k] for k in ("is_complete", "assigned_to", "date")} == {
        k: before[k] for k in ("is_complete", "assigned_to", "date")
    }


# --- POST: never repeated once it may have arrived ----------------------------------------

MAY_HAVE_ARRIVED = "hint: Close may have applied this POST although no answer came back: check before repeating it"


@pytest.mark.parametrize(
    "mode, code, message, created",
    [
        ("reset-after", 5, "error: network error talking to 127.0.0.1: [Errno 104] Connection reset by peer", 1),
        ("reset", 5, "error: network error talking to 127.0.0.1: [Errno 104] Connection reset by peer", 0),
        ("503", 1, "error: Close answered 503: Service Unavailable", 0),
        ("html", 1, "error: Close answered 502: an HTML page (a proxy?) instead of Close's JSON", 0),
        ("empty", 1, "error: Close answered 503 (SERVICE UNAVAILABLE, empty body)", 0),
        ("truncated", 1, "error: Close answered 500: a body that is not JSON instead of Close's JSON", 0),
    ],
)
def test_add_is_sent_once_whatever_happens_to_the_answer(serve, against, mode, code, message, created):
    server = serve("--fail-method", "POST", "--fail-mode", mode, "--fail-rate", "1")
    lead = any_lead(server)
    before = db_tasks(server)

    result = against(server, "add", "Call about the renewal", "--lead", lead, "--date", "mon")
    assert result.fails(code) == message
    assert result.stdout == ""
    if code == 5:  # no answer: it may have been created, and the user is told so
        assert MAY_HAVE_ARRIVED in result.stderr
        assert "try again" not in result.stderr
    # One POST, never repeated; the server created the task at most once.
    assert [line.method for line in logged(server)] == ["POST"]
    new = [t for i, t in db_tasks(server).items() if i not in before]
    assert len(new) == created
    assert all((t["text"], t["lead_id"]) == ("Call about the renewal", lead) for t in new)
    assert against.sleeps == []
    (entry,) = journal_entries(against.home)
    assert (entry.action, entry.status, entry.sent) == ("create", "failed", [])
    assert entry.errors == [message.removeprefix("error: ")]


# --- slower than the read time-out ---------------------------------------------------------


def test_a_post_slower_than_the_timeout_exits_5_and_creates_the_task_once(serve, user):
    """The installed command: a time-out is a clean exit 5, never a traceback."""
    server = serve("--latency", "500")
    assert user(None, "config", "set", "timeout", "0.2").exit_code == 0
    lead = any_lead(server)
    before = db_tasks(server)

    result = user(server, "add", "Slow server", "--lead", lead)
    assert result.fails(5) == (
        "error: 127.0.0.1 did not answer in time (read time-out); raise `timeout` with `closetask config set timeout 60`"
    )
    assert MAY_HAVE_ARRIVED in result.stderr
    wait_for_log(server, 1)
    assert [(line.method, line.status) for line in logged(server)] == [("POST", "200")]
    new = [t for i, t in db_tasks(server).items() if i not in before]
    assert [t["text"] for t in new] == ["Slow server"]


def test_a_get_slower_than_the_timeout_is_tried_5_times_then_exits_5(serve, against):
    server = serve("--latency", "300")
    write_profile(against.home, timeout=0.1)

    result = against(server, "inbox")
    assert result.fails(5) == (
        "error: 127.0.0.1 did not answer in time (read time-out); try again or raise `timeout` with "
        "`closetask config set timeout 60`"
    )
    assert result.stdout == ""
    assert "hint:" not in result.stderr  # a GET changes nothing: nothing to check
    assert len(against.sleeps) == 4  # 5 tries in all, then it gives up
    wait_for_log(server, 5)
    lines = logged(server)
    assert [(line.method, line.path) for line in lines] == [("GET", "/api/v1/me/")] * 5
