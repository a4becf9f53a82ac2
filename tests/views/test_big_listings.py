"""Big organizations, end to end: listings past Close's `_skip` cap, and listings read while a
colleague changes tasks between two pages (`sandbox serve --hold-listing` holds a page until
the test has made its change, so the timing is exact)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from sandboxproc import closetask_argv, seed_stale_tasks, start_sandbox, stop_sandbox

CAP = ["--max-skip", "500"]


@pytest.fixture
def serve(tmp_path):
    """serve(*options) starts a sandbox with no demo tasks; stopped after the test."""
    started = []

    def start(*options: str):
        started.append(start_sandbox(tmp_path / str(len(started)), *options, tasks=0))
        return started[-1]

    yield start
    for server in started:
        stop_sandbox(server)


def seed(server, count: int, *, complete: bool = False, first: int = 0) -> list[str]:
    """`count` of my stale tasks, created a second apart (oldest first), dated 2026-10-01..11-13."""
    return seed_stale_tasks(
        server.db,
        count,
        id_prefix="Big",
        first=first,
        complete=complete,
        created_apart=True,
        types=("lead", "missed_call"),
    )


def oldest(ids: list[str], count: int) -> list[str]:
    """The first `count` by due day (as the inbox shows them): seed day is 2026-10-01 + n % 44."""
    return sorted(ids, key=lambda i: (int(i[8:14]) % 44, int(i[8:14])))[:count]


def set_complete(server, ids: list[str], done: bool) -> None:
    """A colleague's change, over raw HTTP."""
    with httpx.Client(base_url=server.base_url, auth=(server.api_key, ""), timeout=30) as http:
        for task_id in ids:
            http.put(f"task/{task_id}/", json={"is_complete": done}).raise_for_status()


def listed_after_change(server, run, args: list[str], change) -> list[str]:
    """Run `closetask *args` (listing IDs); while page 3 is held, make `change`; the IDs listed."""
    import time

    go = Path(server.db).parent / "go"
    output = Path(server.db).parent / "out"
    with output.open("w") as out:  # a file, not a pipe: JSONL must not stall on a full pipe
        process = subprocess.Popen(
            [*closetask_argv(), *args],
            env=server.env(Path(run.home)),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        deadline = time.monotonic() + 60
        while len([ln for ln in server.requests("GET") if "/task/?" in ln]) < 2:  # pages 1 and 2 answered
            assert time.monotonic() < deadline, "the listing never read two pages"
            time.sleep(0.01)
        change()
        go.touch()
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    text = output.read_text()
    return [json.loads(line)["id"] for line in text.splitlines()] if "--jsonl" in args else text.split()


def test_every_view_and_format_lists_past_the_skip_cap_each_task_once(serve, run):
    server = serve(*CAP)
    mine = seed(server, 1500)
    done = seed(server, 1200, complete=True, first=5000)
    for args, expected in (
        (["inbox", "--assignee", "all", "--ids"], mine),
        (["inbox", "--json"], mine),
        (["inbox", "--jsonl"], mine),
        (["archive", "--assignee", "all", "--ids"], done),
        (["archive", "--jsonl", "--concurrency", "4"], done),
    ):
        result = run(server, *args)
        assert result.exit_code == 0, (args, result.stderr)
        if "--ids" in args:
            ids = result.stdout.split()
        elif "--json" in args:
            ids = [t["id"] for t in json.loads(result.stdout)]
        else:
            ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
        assert len(ids) == len(set(ids)), args
        assert set(ids) == set(expected), args
    # The table (a TSV in a pipe) shows them all too, in display order: by day.
    tsv = run(server, "inbox").stdout.splitlines()
    assert len(tsv) == 1500
    assert [row.split("\t")[2][:10] for row in tsv] == sorted(row.split("\t")[2][:10] for row in tsv)
    # and bulk selects all of them
    bulk = run(server, "bulk", "--before", "today", "--complete", "--yes", "--max", "2000", "--json")
    assert bulk.exit_code == 0, bulk.stderr
    assert run(server, "inbox", "--ids").stdout == ""
    assert not [ln for ln in server.requests() if " 400" in ln]


def test_a_colleague_completing_150_tasks_between_pages_loses_none_that_stayed_open(serve, run, tmp_path):
    server = serve("--hold-listing", f"3:{tmp_path / '0' / 'go'}")
    mine = seed(server, 1000)
    gone = oldest(mine, 150)
    listed = listed_after_change(server, run, ["inbox", "--ids"], lambda: set_complete(server, gone, True))
    assert len(listed) == len(set(listed))
    stayed = set(mine) - set(gone)
    assert stayed <= set(listed), f"{len(stayed - set(listed))} tasks open the whole time are missing"


def test_an_archive_export_while_tasks_are_completed_lists_none_twice(serve, run, tmp_path):
    server = serve("--hold-listing", f"3:{tmp_path / '0' / 'go'}")
    archived = seed(server, 800, complete=True)
    still_open = seed(server, 400, first=1000)
    args = ["archive", "--assignee", "all", "--jsonl", "--concurrency", "4"]
    listed = listed_after_change(server, run, args, lambda: set_complete(server, oldest(still_open, 150), True))
    assert len(listed) == len(set(listed)), "a task was listed twice"
    assert set(archived) <= set(listed)
