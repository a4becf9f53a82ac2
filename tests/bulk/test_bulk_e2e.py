"""The installed closetask against `closetask sandbox serve`: 1,000 stale tasks completed in one
listing pass and 10 PUTs, --max and --yes changing nothing, a chunk failing on every retry
(exit 3, journal == server, rerun finishes), undo, two concurrent runs, SIGINT/SIGTERM and
SIGKILL in the middle. The server's state is read over HTTP with its own key."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from sandboxproc import closetask_argv, seed_stale_tasks, start_sandbox, stop_sandbox

pytestmark = pytest.mark.e2e

TYPES = ("lead", "email_followup", "missed_call", "incoming_email", "voicemail", "opportunity_due", "incoming_sms")
STALE = ["bulk", "--before", "-14d", "--complete", "--yes"]  # -14d on 2026-11-28: before the 14th


# --- helpers --------------------------------------------------------------------------


def seed(
    server, count: int, *, first: int = 0, who: str = "me", complete: bool = False, day: date | None = None
) -> list[str]:
    """`count` tasks in the server's database: by default my incomplete tasks of every type,
    dated 2026-10-01..2026-11-13, date-only and timed."""
    return seed_stale_tasks(
        server.db,
        count,
        id_prefix="E2e",
        first=first,
        types=TYPES,
        user_index=0 if who == "me" else 1,
        complete=complete,
        day=day,
    )


def state(server) -> dict[str, tuple]:
    """id -> (is_complete, date, assigned_to) of every task, read from the server over HTTP."""
    out: dict[str, tuple] = {}
    with httpx.Client(base_url=server.base_url, auth=(server.api_key, ""), timeout=30) as http:
        skip = 0
        while True:
            params = {"_type": "all", "_fields": "id,is_complete,date,assigned_to", "_skip": skip, "_limit": 100}
            body = http.get("task/", params=params).raise_for_status().json()
            out.update({t["id"]: (t["is_complete"], t["date"], t["assigned_to"]) for t in body["data"]})
            skip += len(body["data"])
            if not body["has_more"]:
                return out


def complete(server, ids) -> set[str]:
    now = state(server)
    return {i for i in ids if now[i][0]}


def logged(server, since: int, method: str | None = None) -> list[str]:
    lines = server.requests()[since:]
    return [ln for ln in lines if method is None or ln.startswith(method + " ")]


def ids_in(line: str) -> list[str]:
    query = dict(parse_qsl(urlsplit(line.split(" ")[1]).query))
    assert query["_type"] == "all"
    return query["id__in"].split(",")


def journal(run) -> list:
    from closetask.state.journal import UndoJournal

    return UndoJournal(Path(run.home) / "state" / "profiles" / "default" / "journal.jsonl").entries()


def lock_file(run) -> Path:
    return Path(run.home) / "state" / "profiles" / "default" / "bulk.lock"


def popen(server, run, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*closetask_argv(), *args],
        env=server.env(Path(run.home)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def serve(tmp_path):
    """serve(*options) starts a sandbox with no demo tasks; stopped after the test."""
    started = []

    def start(*options: str):
        started.append(start_sandbox(tmp_path, *options, tasks=0))
        return started[-1]

    yield start
    for server in started:
        stop_sandbox(server)


# --- tests ----------------------------------------------------------------------------


def test_1000_stale_tasks_one_listing_pass_ten_puts_and_undo(serve, run):
    server = serve()
    stale = seed(server, 1000)
    recent = seed(server, 20, first=5000, day=date(2026, 11, 20))
    janes = seed(server, 20, first=6000, who="jane")
    done = seed(server, 20, first=7000, complete=True)
    before = state(server)

    mark = len(server.requests())
    result = run(server, *STALE, "--max", "1000", "--json")
    assert result.exit_code == 0, result.stderr
    gets, puts = logged(server, mark, "GET"), logged(server, mark, "PUT")
    read_back = [ln for ln in gets if "id__in=" in ln]
    listing = [ln for ln in gets if ln.startswith("GET /api/v1/task/?") and ln not in read_back]
    # Read back after the PUTs (a task deleted meanwhile would be skipped silently): one GET
    # per chunk, asking only for what was set.
    assert sorted(i for ln in read_back for i in ids_in(ln)) == sorted(stale) and len(read_back) == 10
    assert all("_fields=id%2Cis_complete&" in ln for ln in read_back)
    # One pass, each page asked for once; with 4 pages in flight at most 3 speculative
    # requests run past the end (and come back empty). The tasks were seeded at one instant
    # (a bulk import), so the ranges step through it, each page overlapping the last by a row.
    skips = [int(ln.split("_skip=")[1].split("&")[0].split()[0]) for ln in listing]
    assert len(set(skips)) == len(skips)
    assert {0, *range(99, 1000, 100)} <= set(skips)
    assert 10 <= len(listing) <= 13
    assert len(gets) - len(listing) - len(read_back) <= 1  # at most GET /me/
    assert len(puts) == 10
    assert all(ln.endswith(" 200") and len(ids_in(ln)) == 100 for ln in puts)
    assert sorted(i for ln in puts for i in ids_in(ln)) == sorted(stale)
    summary = json.loads(result.stdout)
    assert (summary["matched"], summary["changed"], summary["failed"]) == (1000, 1000, 0)
    after = state(server)
    assert {i for i, s in after.items() if s[0]} == set(stale) | set(done)
    assert all(after[i] == before[i] for i in (*recent, *janes, *done))
    assert result.stderr.startswith("bulk: 1000 matched, 1000 changed, 0 failed in ")

    mark = len(server.requests())
    undone = run(server, "undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert len(logged(server, mark, "PUT")) == 10
    assert state(server) == before


def test_without_yes_or_above_max_nothing_changes(serve, run):
    server = serve()
    stale = seed(server, 600)
    before = state(server)
    mark = len(server.requests())
    no_yes = run(server, "bulk", "--before", "-14d", "--complete")
    assert no_yes.exit_code == 2
    assert "pass --yes when not on a terminal; nothing was changed" in no_yes.stderr
    assert logged(server, mark) == []  # refused before any request

    over = run(server, *STALE)
    assert over.exit_code == 2
    assert "error: 600 tasks match, more than --max 500; nothing was changed" in over.stderr
    assert logged(server, mark, "PUT") == []
    assert state(server) == before
    assert complete(server, stale) == set()


def test_a_chunk_failing_on_every_retry_stops_the_bulk_exits_3_and_a_rerun_finishes(serve, run):
    """PUTs 4-8 answer 503: the fourth chunk fails on its first try and all four retries.
    The next chunks would most likely meet the same, so bulk sends no more: 300 changed,
    100 failed, 600 not sent, and the rerun sends the 700. One chunk at a time (--concurrency
    1), so the server's window of requests is one chunk's tries."""
    server = serve("--fail-method", "PUT", "--fail-window", "4:8")
    stale = seed(server, 1000)
    mark = len(server.requests())
    result = run(server, *STALE, "--max", "1000", "--json", "--concurrency", "1")
    assert result.exit_code == 3, result.stderr
    puts = logged(server, mark, "PUT")
    assert [ln.rsplit(" ", 1)[1] for ln in puts] == ["200"] * 3 + ["503"] * 5
    failed_chunk = ids_in(puts[3])
    summary = json.loads(result.stdout)
    assert (summary["changed"], summary["failed"], summary["failed_ids"]) == (300, 100, failed_chunk)
    assert summary["not_sent"] == 600 and len(summary["not_sent_ids"]) == 600
    # The failed chunk is read back: not applied (a 503 never reaches the handler here).
    assert "error: 300 changed, 100 not confirmed, 600 not sent: Close answered 503" in result.stderr
    (entry,) = journal(run)
    assert entry.status == "partial"
    assert set(entry.sent) == complete(server, stale)  # the journal matches the server exactly
    assert entry.failed == failed_chunk
    assert len(entry.sent) == 300

    mark = len(server.requests())
    again = run(server, *STALE, "--max", "1000")
    assert again.exit_code == 0, again.stderr
    puts = logged(server, mark, "PUT")
    assert len(puts) == 7 and set(failed_chunk) <= {i for put in puts for i in ids_in(put)}
    assert complete(server, stale) == set(stale)


def test_two_concurrent_runs_one_is_refused(serve, run):
    server = serve("--latency", "300")
    stale = seed(server, 500)
    first = popen(server, run, *STALE)
    try:
        wait_for(lambda: lock_file(run).exists() and lock_file(run).read_text().strip(), "the first run's lock")
        second = run(server, "bulk", "--all", "--complete", "--yes")
    finally:
        out, err = first.communicate(timeout=120)
    assert second.exit_code == 1
    assert f"error: another bulk is running for this profile (pid {first.pid}, started " in second.stderr
    assert "`closetask bulk --before -14d --complete --yes`" in second.stderr
    assert first.returncode == 0, err
    assert complete(server, stale) == set(stale)
    assert lock_file(run).read_text() == ""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_bulk_exits_130_with_an_exact_journal_and_undo_restores(serve, run, signum):
    server = serve("--latency", "150")
    stale = seed(server, 1000)
    before = state(server)
    mark = len(server.requests())
    proc = popen(server, run, *STALE, "--max", "1000", "--json")
    try:
        wait_for(lambda: logged(server, mark, "PUT"), "the first PUT")
        proc.send_signal(signum)
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    changed = complete(server, stale)
    (entry,) = journal(run)
    assert set(entry.sent) == changed
    assert entry.in_flight == [] and entry.failed == []
    assert 100 <= len(changed) < 1000 and len(changed) % 100 == 0
    assert err.splitlines()[-2:] == [
        f"interrupted: {len(changed)} changed, {1000 - len(changed)} not sent",
        "hint: run the same command again to finish; the journal records exactly which tasks were changed",
    ]
    summary = json.loads(out)
    assert (summary["changed"], summary["not_sent"], summary["interrupted"]) == (
        len(changed),
        1000 - len(changed),
        True,
    )
    assert len(logged(server, mark, "PUT")) == len(changed) // 100
    assert lock_file(run).read_text() == ""

    undone = run(server, "undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert state(server) == before


def test_a_killed_run_leaves_no_stale_lock_and_a_rerun_finishes(serve, run):
    server = serve("--latency", "150")
    stale = seed(server, 1000)
    mark = len(server.requests())
    proc = popen(server, run, *STALE, "--max", "1000")
    wait_for(lambda: logged(server, mark, "PUT"), "the first PUT")
    proc.kill()  # SIGKILL: no handler, no finally, no cleanup
    proc.communicate(timeout=60)
    (entry,) = journal(run)
    changed = complete(server, stale)
    # Confirmed chunks are on the server; the (up to two) in flight may or may not have landed
    # (yet), and the journal lists them as attempted, so undo would revert them either way.
    assert set(entry.sent) <= changed <= set(entry.touched)
    assert entry.status == "pending" and len(entry.touched) - len(entry.sent) <= 200
    assert '"pid"' in lock_file(run).read_text()  # the dead run's description is still there

    again = run(server, *STALE, "--max", "1000")
    assert again.exit_code == 0, again.stderr
    assert complete(server, stale) == set(stale)


def test_tasks_a_colleague_deletes_mid_bulk_are_counted_gone_not_changed(serve, run):
    """A colleague deletes 5 still-open tasks over plain HTTP after the first chunk went out.
    Close's bulk PUT skips them without a word; the read-back after the run finds them gone:
    the counts are what the server holds (995 changed, 5 gone), and it is not a failure."""
    server = serve("--latency", "300")
    stale = seed(server, 1000)
    mark = len(server.requests())
    proc = popen(server, run, *STALE, "--max", "1000", "--json", "--concurrency", "1")
    try:
        wait_for(lambda: logged(server, mark, "PUT"), "the first PUT")
        # Tasks no chunk has been sent for yet (read from the log: reading the whole state
        # over HTTP would take as long as the bulk); 5 DELETEs take far less than 9 chunks.
        first = set(ids_in(logged(server, mark, "PUT")[0]))
        deleted = sorted(set(stale) - first)[-5:]
        with httpx.Client(base_url=server.base_url, auth=(server.api_key, ""), timeout=30) as http:
            for task_id in deleted:
                http.delete(f"task/{task_id}/").raise_for_status()
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert (summary["matched"], summary["changed"], summary["gone"], summary["failed"]) == (1000, 995, 5, 0)
    assert sorted(summary["gone_ids"]) == deleted
    now = state(server)
    assert set(deleted).isdisjoint(now)
    assert {i for i in stale if i in now and now[i][0]} == set(stale) - set(deleted)
    assert "1000 matched, 995 changed, 0 failed, 5 gone (deleted meanwhile)" in err


def test_a_second_ctrl_c_counts_the_chunks_in_flight_as_unknown_not_unchanged(serve, run):
    """Two Ctrl-Cs while chunks are out: the run stops at once. The chunks out were sent and
    Close applies them after closetask has gone, so they are `unknown` (may have been
    applied), never "not changed"; what the server holds is within changed + unknown, and
    undo covers all of it."""
    server = serve("--latency", "400")
    stale = seed(server, 500)
    before = state(server)
    mark = len(server.requests())
    proc = popen(server, run, *STALE, "--json")
    try:
        wait_for(lambda: logged(server, mark, "PUT"), "the first PUT")
        time.sleep(0.1)  # chunks 2 and 3 are out (each takes 400 ms)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    summary = json.loads(out)
    assert summary["unknown"] >= 100 and summary["unknown_ids"] == summary["failed_ids"]
    time.sleep(1)  # the server finishes what was out
    now = complete(server, stale)
    changed, unknown = summary["changed"], set(summary["unknown_ids"])
    assert len(now) >= changed and now <= set(stale) - set(summary["not_sent_ids"])
    assert len(now - unknown) == changed  # outside the unknown ones, exactly what was counted
    assert f"interrupted: {changed} changed, {len(unknown)} not confirmed ({len(unknown)} unknown: may have" in err
    (entry,) = journal(run)
    assert set(entry.failed) == unknown and now <= set(entry.touched)

    undone = run(server, "undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert state(server) == before


def test_a_2000_task_bulk_under_a_20_per_second_limit_paces_itself_and_draws_no_429(serve, run):
    """Close announces what is left on every answer (RateLimit); closetask waits for the reset
    instead of running into the limit (2 chunks sent and 4 pages read at once)."""
    server = serve("--rate-limit", "20")
    mine = seed(server, 2000)
    result = run(server, "bulk", "--before", "today", "--complete", "--yes", "--max", "2000")
    assert result.exit_code == 0, result.stderr
    assert "rate limited" not in result.stderr
    archived = run(server, "archive", "--ids")  # read back through closetask: paced too
    assert sorted(archived.stdout.split()) == sorted(mine)
    assert [line for line in server.requests() if line.endswith(" 429")] == []
