"""Several closetask processes on one profile, and two sandbox servers on one database file,
at the same time: no lost update, no interleaved or broken journal line, and undo still
restores every change. Plus a journal with a corrupt line, which costs only that line."""

from __future__ import annotations

import json
import subprocess

import pytest

from fault_server import closetask_env, db_tasks, db_users, journal, journal_entries, journal_lines
from sandboxproc import closetask_argv

pytestmark = pytest.mark.e2e


def fields(server, ids) -> dict[str, tuple]:
    tasks = db_tasks(server)
    return {i: (tasks[i]["is_complete"], tasks[i]["date"], tasks[i]["assigned_to"]) for i in ids}


def at_once(runs: list[tuple[object, list[str]]], home) -> list[tuple[int, str, str]]:
    """Start every (server, args) process before waiting for any."""
    procs = [
        subprocess.Popen(
            [*closetask_argv(), *args],
            env=closetask_env(server, home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for server, args in runs
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]


def test_concurrent_changes_on_one_profile_and_two_servers_sharing_one_database(serve, against):
    """Six processes on one profile at once, through two `sandbox serve` processes on one
    database file: four `done` on different tasks, and a `reassign` and a `snooze` of the
    same task (different fields: both must survive)."""
    first = serve("--latency", "50", at="shared")
    second = serve("--latency", "50", at="shared")  # the same database file
    assert first.db == second.db
    me, other = db_users(first)[:2]
    tasks = db_tasks(first)
    mine = sorted(i for i, t in tasks.items() if t["assigned_to"] == me["id"] and not t["is_complete"])
    singles, both = mine[:4], mine[4]
    before = fields(first, [*singles, both])
    home = against.home

    results = at_once(
        [(first if n % 2 else second, ["done", task_id]) for n, task_id in enumerate(singles)]
        + [(first, ["reassign", both, "--assign-to", other["email"]]), (second, ["snooze", both, "2026-12-24"])],
        home,
    )
    for code, _out, err in results:
        assert code == 0 and "Traceback" not in err, err

    # Both servers see every change: none lost, whichever server made it.
    after = fields(second, [*singles, both])
    assert all(after[i][0] is True for i in singles)
    assert after[both] == (before[both][0], "2026-12-24", other["id"])
    assert fields(first, [*singles, both]) == after

    # Six whole entries, each with its own outcome; every line is whole JSON.
    lines = journal_lines(home)
    assert len(lines) == 6 * 4  # per command: the entry, then "attempting", "sent" and "applied" marks
    entries = journal_entries(home)
    assert sorted(e.command.split()[0] for e in entries) == ["done"] * 4 + ["reassign", "snooze"]
    assert all(e.status == "applied" and len(e.sent) == 1 and e.failed == [] for e in entries)
    assert sorted(e.sent[0] for e in entries) == sorted([*singles, both, both])

    # Six undos, one after the other, restore everything (each reverts only its own field).
    for _ in range(6):
        undone = against(first, "undo", "--yes").clean()
        assert undone.exit_code == 0, undone.stderr
    assert fields(second, [*singles, both]) == before
    assert against(first, "undo", "--yes").stderr == "Nothing to undo.\n"


def test_listings_and_changes_racing_on_the_row_refs_never_leave_a_broken_file(serve, user, tmp_path):
    """Tables rewrite the terminal's rows while other commands read them: readers see one
    whole listing or another (atomic replace), never half of one."""
    server = serve()
    home = tmp_path / "user-home"
    assert user(server, "inbox", "--table", home=home).exit_code == 0
    results = at_once(
        [
            (server, ["inbox", "--table"]),
            (server, ["future", "--table"]),
            (server, ["archive", "--table"]),
            (server, ["done", "1", "--dry-run"]),
            (server, ["show", "2"]),
            (server, ["inbox", "--assignee", "all", "--table"]),
        ],
        home,
    )
    for code, _out, err in results:
        assert code == 0 and "Traceback" not in err, err
    saved = json.loads((home / "state" / "profiles" / "default" / "rows-dev-pts-test.json").read_text())
    assert saved["command"] in ("inbox", "future", "archive") and saved["ids"]
    leftovers = [p.name for p in (home / "state" / "profiles" / "default").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


# --- a damaged journal ----------------------------------------------------------------------


def test_a_corrupt_journal_line_does_not_block_undo_of_the_others(serve, against):
    server = serve()
    home = against.home
    tasks = db_tasks(server)
    me = db_users(server)[0]["id"]
    a, b, c = sorted(i for i, t in tasks.items() if t["assigned_to"] == me and not t["is_complete"])[:3]
    before = fields(server, [a, b, c])
    for task_id in (a, b, c):
        assert against(server, "done", task_id).exit_code == 0

    # Damage the middle command's entry, and leave a half-written line at the end (a crash
    # in the middle of a write).
    path = journal(home)
    lines = path.read_text().splitlines(keepends=True)
    middle = next(n for n, line in enumerate(lines) if json.loads(line).get("kind") == "entry" and b in line)
    lines[middle] = lines[middle][: len(lines[middle]) // 2] + "\n"
    path.write_text("".join(lines) + '{"kind":"mark","ref":"dead')

    listed = against(server, "undo", "--list").clean()
    assert listed.exit_code == 0
    warnings = [line for line in listed.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 5, listed.stderr  # the broken entry, its three marks, the torn line
    assert all(f"warning: {path} line " in w and "skipped" in w for w in warnings)
    assert len(listed.stdout.splitlines()) == 2

    # Undo reverts c, then a; b's entry is gone, so b stays as it is (and nothing crashes).
    for _ in range(2):
        undone = against(server, "undo", "--yes").clean()
        assert undone.exit_code == 0, undone.stderr
    after = fields(server, [a, b, c])
    assert after[a] == before[a] and after[c] == before[c]
    assert after[b][0] is True
    assert against(server, "undo", "--yes").stderr.endswith("Nothing to undo.\n")

    # New records still go on fresh lines after the torn one.
    assert against(server, "done", a).exit_code == 0
    tail = path.read_text().splitlines()[-3:]
    assert all(json.loads(line)["kind"] in ("entry", "mark") for line in tail)
