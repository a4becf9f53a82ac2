"""A 1,000-task bulk through 5xx bursts and dropped connections, on the listing and on the
PUTs, and interrupted while a chunk is being retried. The journal must say exactly what the
server did: `sent` is what Close confirmed, `failed` what may or may not have landed.

(tests/bulk/test_bulk_e2e.py has the plain cases: a chunk failing with 503 on every retry,
SIGINT/SIGTERM between chunks, kill -9, two concurrent runs. This adds the faults.)"""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from fault_server import closetask_env, completed, db_tasks, journal_entries, logged, put_ids, seed_stale
from sandboxproc import closetask_argv

pytestmark = pytest.mark.e2e

STALE = ["bulk", "--before", "-14d", "--complete", "--yes", "--max", "1000"]


def state(server) -> dict[str, tuple]:
    """id -> what a bulk or its undo may change (date_updated aside)."""
    return {i: (t["is_complete"], t["date"], t["assigned_to"]) for i, t in db_tasks(server).items()}


@pytest.mark.parametrize(
    "method, mode, window, seen",
    [
        ("GET", "503", "3:4", "503"),  # the listing's second page, twice
        ("GET", "reset", "5:5", "RESET"),
        ("PUT", "503", "2:3", "503"),  # the second chunk, twice
        ("PUT", "reset", "4:4", "RESET"),  # dropped before it was applied
        ("PUT", "reset-after", "6:7", "RESET"),  # applied, and the answer lost, twice
    ],
)
def test_a_bulk_retries_through_bursts_and_finishes_with_an_exact_journal(serve, against, method, mode, window, seen):
    server = serve("--fail-method", method, "--fail-mode", mode, "--fail-window", window, tasks=0)
    stale = seed_stale(server, 1000)
    before = state(server)

    result = against(server, *STALE, "--json").clean()
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["matched"], summary["changed"], summary["failed"]) == (1000, 1000, 0)
    lines = logged(server)
    first, last = (int(n) for n in window.split(":"))
    assert [line.status for line in lines if line.method == method].count(seen) == last - first + 1
    # One listing pass: each page answered once (a failed page asked again, nothing skipped).
    tasks = [line for line in lines if line.method == "GET" and line.path == "/api/v1/task/" and line.status == "200"]
    pages = [line for line in tasks if "id__in=" not in line.target]
    # After the PUTs, each chunk read back once (the counts are what Close holds).
    assert sorted(i for line in tasks if "id__in=" in line.target for i in put_ids(line)) == sorted(stale)
    # (With 4 pages in flight, up to 3 more run past the end and come back empty.)
    assert len(pages) == len({p.target for p in pages})
    skips = {int(p.target.split("_skip=")[1].split("&")[0]) for p in pages}
    # One creation instant for all (seeded at once): stepped through inside it, a row overlapping.
    assert {0, *range(99, 1000, 100)} <= skips and len(skips) <= 13
    # Every chunk confirmed once; a repeated PUT sets the same values, so nothing is done twice.
    confirmed = [i for line in lines if line.method == "PUT" and line.status == "200" for i in put_ids(line)]
    assert sorted(confirmed) == sorted(stale)
    assert completed(server, stale) == set(stale)
    (entry,) = journal_entries(against.home)
    assert (entry.status, sorted(entry.sent), entry.failed, entry.in_flight) == ("applied", sorted(stale), [], [])

    undone = against(server, "undo", "--yes").clean()
    assert undone.exit_code == 0, undone.stderr
    assert state(server) == before


def test_a_chunk_whose_answers_are_all_lost_is_read_back_and_counted_as_what_close_holds(serve, against):
    """PUTs 4-8 are applied and then their connection dropped: the fourth chunk reaches the
    server on every try, but no answer ever comes back. Bulk sends no more (the next chunks
    would most likely meet the same) and reads the lost chunk back: Close holds it, so it is
    counted and journaled as changed, not as failed. Exit 3 for the 600 not sent. One chunk
    at a time, so that the window of requests is one chunk's five tries."""
    server = serve("--fail-method", "PUT", "--fail-mode", "reset-after", "--fail-window", "4:8", tasks=0)
    stale = seed_stale(server, 1000)
    before = state(server)

    result = against(server, *STALE, "--json", "--concurrency", "1")
    assert result.fails(3).startswith("error: 400 changed, 600 not sent: network error talking to 127.0.0.1")
    puts = [line for line in logged(server) if line.method == "PUT"]
    assert [line.status for line in puts] == ["200"] * 3 + ["RESET"] * 5
    lost = put_ids(puts[3])
    assert all(put_ids(line) == lost for line in puts[3:8])
    read_back = [line for line in logged(server) if line.method == "GET" and "id__in=" in line.target]
    assert [put_ids(line) for line in read_back] == [put_ids(p) for p in puts[:3]] + [lost]
    summary = json.loads(result.stdout)
    assert (summary["changed"], summary["failed"], summary["unknown"], summary["not_sent"]) == (400, 0, 0, 600)

    (entry,) = journal_entries(against.home)
    assert entry.status == "partial"
    # The server has 400 and so do the counts and the journal.
    assert completed(server, stale) == set(entry.sent) and len(entry.sent) == 400
    assert entry.failed == [] and entry.in_flight == []

    # A rerun finishes the 600 not sent; undoing both reverts every task the runs touched.
    again = against(server, *STALE, "--json").clean()
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["changed"] == 600
    assert completed(server, stale) == set(stale)
    for _ in range(2):
        undone = against(server, "undo", "--yes").clean()
        assert undone.exit_code == 0, undone.stderr
    assert state(server) == before


@pytest.mark.parametrize("concurrency", ["1", "2"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_a_chunk_is_retried_stops_after_the_chunks_out(serve, user, tmp_path, signum, concurrency):
    """PUTs 2 and 3 answer 503; the signal arrives while a chunk waits to retry. Each chunk
    out (one, or two at a time) is finished; nothing after them is sent; exit 130."""
    server = serve("--fail-method", "PUT", "--fail-window", "2:3", tasks=0)
    stale = seed_stale(server, 1000)
    before = state(server)
    home = tmp_path / "user-home"
    proc = subprocess.Popen(
        [*closetask_argv(), *STALE, "--concurrency", concurrency],
        env=closetask_env(server, home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(line.status == "503" for line in logged(server)) and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signum)
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    puts = [line for line in logged(server) if line.method == "PUT"]
    if concurrency == "1":  # chunk 2 twice refused, then through; chunk 3 never sent
        assert [line.status for line in puts] == ["200", "503", "503", "200"]
    else:  # chunks 2 and 3 were out together: each refused once, then through
        assert sorted(line.status for line in puts) == ["200"] * 3 + ["503"] * 2
    chunks = {tuple(put_ids(line)) for line in puts}
    assert len(chunks) == int(concurrency) + 1  # the first alone, then the ones out; no more
    assert all(any(line.status == "200" and tuple(put_ids(line)) == c for line in puts) for c in chunks)
    sent = [i for c in chunks for i in c]
    assert completed(server, stale) == set(sent)
    (entry,) = journal_entries(home)
    assert sorted(entry.sent) == sorted(sent) and entry.failed == [] and entry.in_flight == []
    assert f"interrupted: {len(sent)} changed, {1000 - len(sent)} not sent\n" in err

    undone = user(server, "undo", "--yes").clean()
    assert undone.exit_code == 0, undone.stderr
    assert state(server) == before
