"""`closetask bulk` on a terminal (preview, prompt), under SIGINT/SIGTERM (stop after the chunks
in flight, one or two at a time, exit 130, the journal exact), and the per-profile lock (refused while held, never
stale after a crash)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from fake_close import journal_entries, overdue_task, tid


def stale(api, count: int) -> list[str]:
    api.add(*(overdue_task(n) for n in range(1, count + 1)))
    return [tid(n) for n in range(1, count + 1)]


@pytest.fixture
def terminal(cli):
    """stdin and stderr are a terminal (the prompt reads the `input` given to cli())."""
    cli.terminal.update({"stdin", "stderr"})


# --- on a terminal --------------------------------------------------------------------


def test_terminal_previews_and_asks_before_changing(cli, api, terminal):
    stale(api, 12)
    result = cli("bulk", "--all", "--complete", input="y\n")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "12 tasks match; 12 will change: mark complete"
    assert len([ln for ln in lines if ln.startswith("  Sun 01 Nov 2026 (no time)")]) == 10
    assert "  ... and 2 more" in lines
    assert "Change 12 tasks (mark complete)? [y/N]:" in result.stderr
    assert len(api.puts()) == 1
    assert lines[-1].startswith("bulk: 12 matched, 12 changed, 0 failed in ")


def test_terminal_no_at_the_prompt_changes_nothing(cli, api, terminal, state):
    stale(api, 3)
    result = cli("bulk", "--all", "--complete", input="n\n")
    assert result.exit_code == 1
    assert "Cancelled: nothing was changed." in result.stderr
    assert api.puts() == []
    assert not (state / "journal.jsonl").exists()


# --- signals --------------------------------------------------------------------------


def signal_at_second_put(api, *signums: int) -> list:
    """Record the PUTs the fake receives; when the second arrives, send this process
    `signums` (one signal, or two in a row for "stop at once"). Returns the record."""
    puts: list = []

    def hook(sent):
        if sent.method == "PUT":
            puts.append(sent)
            if len(puts) == 2:
                for signum in signums:
                    os.kill(os.getpid(), signum)
        return None

    api.hook = hook
    return puts


def senders_done() -> None:
    """Wait for the threads that carry the PUTs of a pipelined bulk: after a second signal
    the run returns at once, and a chunk it recorded as unknown may still be landing."""
    import threading
    import time

    deadline = time.monotonic() + 10
    while any(t.name == "closetask-send" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_after_the_chunk_in_flight(cli, api, state, signum):
    """One chunk at a time (--concurrency 1): the signal comes during chunk 2, which
    finishes; chunks 3 and 4 are never sent."""
    stale(api, 350)
    puts = signal_at_second_put(api, signum)  # arrives while chunk 2 is in flight
    before = signal.getsignal(signum)
    result = cli("bulk", "--all", "--complete", "--yes", "--json", "--concurrency", "1")
    assert result.exit_code == 130
    assert len(puts) == 2  # chunk 2 finished, chunks 3 and 4 were never sent
    assert len(api.complete_ids()) == 200
    assert result.stderr.splitlines()[-2:] == [
        "interrupted: 200 changed, 150 not sent",
        "hint: run the same command again to finish; the journal records exactly which tasks were changed",
    ]
    summary = json.loads(result.stdout)
    assert (summary["changed"], summary["failed"], summary["not_sent"], summary["interrupted"]) == (200, 0, 150, True)
    (entry,) = journal_entries(state / "journal.jsonl")
    assert set(entry.sent) == api.complete_ids()
    assert entry.failed == [] and entry.in_flight == []
    assert signal.getsignal(signum) == before  # handlers restored
    assert (state / "bulk.lock").read_text() == ""

    undone = cli("undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert api.complete_ids() == set()
    assert len(api.puts()) == 4  # two to change, two to revert


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_lets_both_chunks_in_flight_finish(cli, api, state, signum):
    """Two at a time (the default): chunk 1 goes alone, then 2 and 3 together; the signal
    comes while chunk 2 is out. Every chunk that was sent finishes and is recorded as sent;
    the fourth never leaves."""
    stale(api, 450)
    puts = signal_at_second_put(api, signum)
    result = cli("bulk", "--all", "--complete", "--yes", "--json")
    assert result.exit_code == 130
    sent = len(puts)
    assert sent in (2, 3)  # chunk 3 may have left before the signal was handled
    changed = {i for p in puts for i in p.params["id__in"].split(",")}
    assert api.complete_ids() == changed and len(changed) == 100 * sent
    summary = json.loads(result.stdout)
    assert (summary["changed"], summary["failed"], summary["not_sent"]) == (100 * sent, 0, 450 - 100 * sent)
    assert f"interrupted: {100 * sent} changed, {450 - 100 * sent} not sent\n" in result.stderr
    (entry,) = journal_entries(state / "journal.jsonl")
    assert set(entry.sent) == changed and entry.failed == [] and entry.in_flight == []
    assert entry.status == "partial"


def test_a_second_signal_stops_at_once_and_the_chunk_is_recorded_as_unknown(cli, api, state):
    """One chunk at a time: the second signal raises inside chunk 2's request, which never
    reaches the server; the journal keeps chunk 2 as unknown (failed)."""
    stale(api, 350)
    puts = signal_at_second_put(api, signal.SIGINT, signal.SIGINT)  # the second raises: chunk 2 gets no answer
    result = cli("bulk", "--all", "--complete", "--yes", "--concurrency", "1")
    assert result.exit_code == 130
    assert len(api.complete_ids()) == 100
    # Chunk 2 was out when the run stopped: unknown (it may have been applied), not "not changed".
    assert (
        "interrupted: 100 changed, 100 not confirmed (100 unknown: may have been applied), 150 not sent\n"
        in result.stderr
    )
    (entry,) = journal_entries(state / "journal.jsonl")
    assert entry.status == "partial"
    assert set(entry.sent) == api.complete_ids()
    assert entry.failed == puts[1].params["id__in"].split(",")  # the server's state for these is unknown
    assert set(entry.touched) == set(entry.sent) | set(entry.failed)


def test_a_second_signal_records_the_chunks_in_flight_as_unknown_and_undo_covers_them(cli, api, state):
    """Two at a time: the second signal comes while chunk 2 (and maybe 3) is out. The run
    stops without waiting: a chunk whose answer was not recorded yet is journaled as unknown
    (whether it was depends on when the main thread runs the handler), though the server may
    apply it; every chunk sent is journaled as sent or unknown, chunk 4 never leaves, and
    undo reverts all of it."""
    wanted = stale(api, 450)
    puts = signal_at_second_put(api, signal.SIGINT, signal.SIGINT)
    result = cli("bulk", "--all", "--complete", "--yes", "--json")
    assert result.exit_code == 130
    senders_done()
    assert 2 <= len(puts) <= 3  # chunk 1 alone, then at most two out; chunk 4 never left
    out = {i for p in puts for i in p.params["id__in"].split(",")}
    (entry,) = journal_entries(state / "journal.jsonl")
    assert entry.status == "partial"
    assert set(wanted[:100]) <= set(entry.sent)  # chunk 1 was answered before the signal
    assert set(entry.sent) | set(entry.failed) == out and not set(entry.sent) & set(entry.failed)
    assert set(entry.sent) <= api.complete_ids() <= set(entry.touched)
    summary = json.loads(result.stdout)
    assert (summary["changed"], summary["failed"], summary["unknown"], summary["not_sent"]) == (
        len(entry.sent),
        len(entry.failed),
        len(entry.failed),  # every chunk out when it stopped is unknown: it may have been applied
        450 - len(out),
    )
    assert sorted(summary["unknown_ids"]) == sorted(entry.failed)
    assert f"interrupted: {len(entry.sent)} changed, " in result.stderr

    undone = cli("undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert api.complete_ids() == set()


# --- the lock -------------------------------------------------------------------------


def test_a_second_run_is_refused_while_the_lock_is_held(cli, api, state):
    from closetask.state.lock import BulkLock

    stale(api, 3)
    holder = {"pid": 4242, "started": "2026-11-28T09:59:00+00:00", "command": "bulk --before -14d --complete --yes"}
    with BulkLock(state / "bulk.lock", holder=holder):
        result = cli("bulk", "--all", "--complete", "--yes")
        dry = cli("bulk", "--all", "--complete", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: another bulk is running for this profile (pid 4242, started 2026-11-28T09:59:00+00:00): "
        "`closetask bulk --before -14d --complete --yes`\n"
        "hint: wait for it to finish and run this again; one change at a time per profile\n"
    )
    assert dry.exit_code == 0  # a dry run changes nothing and takes no lock
    assert api.puts() == []
    assert [s.path for s in api.sent] == ["me/", "task/"]  # only the dry run's requests

    after = cli("bulk", "--all", "--complete", "--yes")
    assert after.exit_code == 0, after.stderr


def test_a_lock_file_left_by_a_dead_process_does_not_block(cli, api, state):
    stale(api, 3)
    state.mkdir(parents=True, exist_ok=True)
    (state / "bulk.lock").write_text(
        json.dumps({"pid": 999999, "started": "2026-11-27T03:00:00+00:00", "command": "bulk --all --complete --yes"})
    )
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert len(api.complete_ids()) == 3


def test_a_killed_holder_leaves_no_stale_lock(cli, api, state, tmp_path):
    """A process that holds the lock and dies by SIGKILL (no cleanup at all) blocks nothing."""
    stale(api, 3)
    path = state / "bulk.lock"
    script = textwrap.dedent(
        f"""
        import os, signal
        from closetask.state.lock import BulkLock
        lock = BulkLock({str(path)!r}, holder={{"pid": os.getpid(), "command": "bulk --all --complete --yes"}})
        lock.acquire()
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert '"pid"' in path.read_text()  # the file still names the dead holder
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert path.read_text() == ""


def test_lock_file_is_private_and_names_this_run_while_held(cli, api, state):
    stale(api, 3)
    seen = []
    api.hook = lambda s: seen.append(json.loads((state / "bulk.lock").read_text())) if s.method == "PUT" else None
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert seen[0]["pid"] == os.getpid()
    assert seen[0]["command"] == "bulk --all --complete --yes"
    assert seen[0]["started"] == "2026-11-28T10:00:00+00:00"
    assert (state / "bulk.lock").stat().st_mode & 0o077 == 0
