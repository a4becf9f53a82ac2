"""The undo journal on disk: append-only records folded by id, crash- and corruption-tolerant,
private, bounded, and written before the request it describes leaves."""

from __future__ import annotations

import json
import os
import stat

from closetask.state.journal import KEEP_ENTRIES, UndoJournal

from fake_close import journal_records, tid


def stamps():
    n = iter(range(10_000))
    return lambda: f"2026-11-28T10:{next(n) % 60:02d}:00+00:00"


def book(tmp_path, warnings=None) -> UndoJournal:
    return UndoJournal(
        tmp_path / "state" / "journal.jsonl", clock=stamps(), warn=(warnings.append if warnings is not None else None)
    )


def begin(journal: UndoJournal, *ids: str, command: str = "done 1 2"):
    return journal.begin(
        command=command,
        action="update",
        before=[{"id": i, "fields": {"is_complete": False}} for i in ids],
        changes={"is_complete": True},
    )


def test_an_entry_and_its_marks_fold_into_one(tmp_path):
    journal = book(tmp_path)
    entry = begin(journal, tid(1), tid(2), tid(3))
    journal.mark(entry.id, attempting=[tid(1), tid(2)])
    journal.mark(entry.id, sent=[tid(1), tid(2)])
    journal.mark(entry.id, attempting=[tid(3)])
    journal.mark(entry.id, failed=[tid(3)], error="Close answered 503")
    journal.mark(entry.id, status="partial")
    (folded,) = journal.entries()
    assert folded.id == entry.id and len(entry.id) == 8
    assert folded.command == "done 1 2"
    assert folded.status == "partial"
    assert folded.sent == [tid(1), tid(2)]
    assert folded.failed == [tid(3)]
    assert folded.errors == ["Close answered 503"]
    assert folded.touched == [tid(1), tid(2), tid(3)]
    assert folded.in_flight == []
    assert folded.before_of(tid(2)) == {"is_complete": False}


def test_records_on_disk_are_small_marks_that_name_the_entry(tmp_path):
    journal = book(tmp_path)
    entry = begin(journal, tid(1))
    journal.mark(entry.id, sent=[tid(1)], status="applied")
    first, second = journal_records(journal.path)
    assert first == {
        "kind": "entry",
        "id": entry.id,
        "at": "2026-11-28T10:00:00+00:00",
        "command": "done 1 2",
        "action": "update",
        "before": [{"id": tid(1), "fields": {"is_complete": False}}],
        "changes": {"is_complete": True},
        "status": "pending",
    }
    assert second == {
        "kind": "mark",
        "ref": entry.id,
        "at": "2026-11-28T10:01:00+00:00",
        "status": "applied",
        "sent": [tid(1)],
    }


def test_a_request_in_flight_when_the_process_died_is_known(tmp_path):
    journal = book(tmp_path)
    entry = begin(journal, tid(1), tid(2))
    journal.mark(entry.id, attempting=[tid(1), tid(2)])
    (folded,) = journal.entries()
    assert folded.status == "pending"
    assert folded.in_flight == [tid(1), tid(2)]
    assert journal.last_undoable() is not None  # the server may have applied it


def test_an_entry_that_sent_nothing_is_not_undoable(tmp_path):
    journal = book(tmp_path)
    begin(journal, tid(1))
    assert journal.last_undoable() is None


def test_last_undoable_skips_undone_entries(tmp_path):
    journal = book(tmp_path)
    first = begin(journal, tid(1), command="done 1")
    journal.mark(first.id, sent=[tid(1)], status="applied")
    second = begin(journal, tid(2), command="done 2")
    journal.mark(second.id, sent=[tid(2)], status="applied")
    assert journal.last_undoable().id == second.id
    journal.mark_undone(second.id, sent=[tid(2)])
    assert journal.last_undoable().id == first.id
    journal.mark_undone(first.id, sent=[tid(1)], complete=False, error="boom")
    assert journal.last_undoable().id == first.id  # a partial undo can be run again
    assert journal.get(first.id[:4]).undo_errors == ["boom"]


def test_a_corrupt_line_is_skipped_with_a_warning_and_the_others_still_undo(tmp_path):
    warnings: list[str] = []
    journal = book(tmp_path, warnings)
    first = begin(journal, tid(1), command="done 1")
    journal.mark(first.id, sent=[tid(1)], status="applied")
    with journal.path.open("a") as f:
        f.write('{"kind": "entry", "id": "broken", "before": [\n')
        f.write("not json at all\n")
        f.write('{"kind": "mark", "ref": "nowhere", "sent": []}\n')
        f.write('["a list"]\n')
    second = begin(journal, tid(2), command="done 2")
    journal.mark(second.id, sent=[tid(2)], status="applied")
    assert [e.id for e in journal.entries()] == [first.id, second.id]
    assert journal.last_undoable().id == second.id
    assert warnings == [
        f"warning: {journal.path} line 3 skipped (not valid JSON)",
        f"warning: {journal.path} line 4 skipped (not valid JSON)",
        f"warning: {journal.path} line 5 skipped (refers to unknown entry 'nowhere')",
        f"warning: {journal.path} line 6 skipped (not an object)",
    ]
    journal.entries()
    assert len(warnings) == 4  # said once per journal object, not on every read


def test_a_half_written_last_line_does_not_swallow_the_next_record(tmp_path):
    journal = book(tmp_path, [])
    first = begin(journal, tid(1))
    with journal.path.open("a") as f:
        f.write('{"kind": "mark", "ref": "' + first.id + '", "sent": ["task_')  # killed mid-write
    journal.mark(first.id, sent=[tid(1)], status="applied")
    (folded,) = journal.entries()
    assert folded.status == "applied"
    assert folded.sent == [tid(1)]


def test_the_file_is_private(tmp_path):
    journal = book(tmp_path)
    begin(journal, tid(1))
    assert stat.S_IMODE(os.stat(journal.path).st_mode) == 0o600
    os.chmod(journal.path, 0o644)
    begin(journal, tid(2))
    assert stat.S_IMODE(os.stat(journal.path).st_mode) == 0o600


def test_a_thousand_task_entry_is_one_line_and_chunk_marks_stay_small(tmp_path):
    journal = book(tmp_path)
    ids = [f"task_Bulk{n:05d}abcdefghijklmnopq" for n in range(1200)]
    entry = journal.begin(
        command="bulk --before -14d --complete --yes",
        action="bulk",
        before=[{"id": i, "fields": {"is_complete": False}} for i in ids],
        changes={"is_complete": True},
    )
    for start in range(0, 1200, 100):
        chunk = ids[start : start + 100]
        journal.mark(entry.id, attempting=chunk)
        journal.mark(entry.id, sent=chunk)
    journal.mark(entry.id, status="applied")
    lines = journal.path.read_text().splitlines()
    assert len(lines) == 1 + 24 + 1
    assert max(len(line) for line in lines[1:]) < 4000
    (folded,) = journal.entries()
    assert folded.sent == ids


def test_compaction_keeps_the_newest_entries(tmp_path, monkeypatch):
    from closetask.state import journal as journal_module

    monkeypatch.setattr(journal_module, "COMPACT_BYTES", 20_000)
    journal = book(tmp_path)
    made = []
    for n in range(KEEP_ENTRIES + 100):
        entry = begin(journal, tid(n % 9999), command=f"done {n}")
        journal.mark(entry.id, sent=[tid(n % 9999)], status="applied")
        made.append(entry.id)
    kept = journal.entries()
    assert journal.path.stat().st_size < 20_000 + 2_000
    assert 20 < len(kept) < KEEP_ENTRIES
    assert [e.id for e in kept] == made[-len(kept) :]
    assert all(e.status == "applied" and e.sent for e in kept)


def test_unknown_status_or_action_is_refused(tmp_path):
    import pytest

    journal = book(tmp_path)
    with pytest.raises(ValueError):
        journal.begin(command="x", action="explode", before=[])
    entry = begin(journal, tid(1))
    with pytest.raises(ValueError):
        journal.mark(entry.id, status="exploded")


def test_two_writers_do_not_interleave(tmp_path):
    """Two processes on one profile: every record stays a whole line."""
    import multiprocessing

    path = tmp_path / "journal.jsonl"

    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(path, n)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    warnings: list[str] = []
    entries = UndoJournal(path, warn=warnings.append).entries()
    assert warnings == []
    assert len(entries) == 2 * 30
    assert all(e.status == "applied" and len(e.sent) == 200 for e in entries)


def _writer(path, n):  # runs in a child process
    journal = UndoJournal(path)
    for k in range(30):
        ids = [f"task_W{n}{k:03d}{i:04d}abcdefghijklmn" for i in range(200)]
        entry = journal.begin(command=f"w{n}", action="bulk", before=[{"id": i, "fields": {}} for i in ids])
        journal.mark(entry.id, sent=ids, status="applied")


def test_journal_lines_are_plain_json(tmp_path):
    journal = book(tmp_path)
    begin(journal, tid(1))
    lines = journal.path.read_text().splitlines()
    assert lines
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_state_files_that_are_symbolic_links_are_refused_not_followed(tmp_path):
    """Another local user could put a link where the lock or the journal goes, pointing at
    a file of yours: closetask refuses in one line and leaves the target alone."""
    import pytest

    from closetask.errors import ClosetaskError
    from closetask.state.lock import BulkLock

    victim = tmp_path / "precious.txt"
    victim.write_text("keep me\n")
    for name in ("bulk.lock", "journal.jsonl"):
        link = tmp_path / "state" / name
        link.parent.mkdir(exist_ok=True)
        os.symlink(victim, link)
    with pytest.raises(ClosetaskError) as info:
        with BulkLock(tmp_path / "state" / "bulk.lock"):
            pass
    assert "is a symbolic link" in info.value.message
    with pytest.raises(ClosetaskError):
        UndoJournal(tmp_path / "state" / "journal.jsonl").begin(command="done 1", action="update", before=[])
    assert victim.read_text() == "keep me\n"
