"""`closetask undo`: the journal is written before each request, and undo puts every task back."""

from __future__ import annotations

import json

import httpx

from closetask.state.journal import UndoJournal

from fake_close import JANE_ID, ME_ID, journal_records, make_task, tid


def test_the_journal_entry_exists_before_the_put_leaves(cli, api, journal_path):
    seen = []

    def check(s):
        if s.method == "PUT":
            records = journal_records(journal_path)
            entry = records[0]
            assert entry["kind"] == "entry" and entry["status"] == "pending"
            assert entry["before"] == [
                {"id": tid(1), "fields": {"is_complete": False}},
                {"id": tid(2), "fields": {"is_complete": False}},
            ]
            assert records[-1] == {
                "kind": "mark",
                "ref": entry["id"],
                "at": "2026-11-28T10:00:00+00:00",
                "attempting": [tid(1), tid(2)],
            }
            seen.append(s)
        return None

    api.hook = check
    assert cli("done", tid(1), tid(2)).exit_code == 0
    assert len(seen) == 1
    (entry,) = UndoJournal(journal_path).entries()
    assert entry.status == "applied" and entry.sent == [tid(1), tid(2)]


def test_the_journal_entry_exists_before_the_post_leaves(cli, api, journal_path):
    def check(s):
        if s.method == "POST":
            assert journal_records(journal_path)[0]["action"] == "create"
        return None

    api.hook = check
    assert cli("add", "Call", "--lead", "lead_Acme0123456789abcdefghijk").exit_code == 0


def test_undo_done_reopens_exactly_the_tasks_it_completed(cli, api, rows):
    rows(tid(1), tid(2), tid(3))
    api.tasks[tid(3)]["is_complete"] = True  # already complete: skipped, so not reopened by undo
    assert cli("done", "1", "2", "3").exit_code == 0
    api.sent.clear()
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    # First a read (are they still as `done` left them?), then the revert.
    assert api.lines("PUT") == [f"PUT task/?id__in={tid(1)},{tid(2)}&_type=all"]
    assert api.lines()[0].startswith(f"GET task/?id__in={tid(1)},{tid(2)}&_type=all&_fields=")
    assert api.puts()[0].body == {"is_complete": False}
    assert [api.tasks[tid(n)]["is_complete"] for n in (1, 2, 3)] == [False, False, True]
    assert result.stderr == "Undid `done 1 2 3`: restored 2 tasks.\n"
    # Nothing left to undo: undo does not undo itself.
    again = cli("undo", "--yes")
    assert again.exit_code == 0
    assert again.stderr == "Nothing to undo.\n"


def test_undo_groups_tasks_by_their_before_values(cli, api):
    api.tasks[tid(1)]["date"] = "2026-11-20"
    api.tasks[tid(2)]["date"] = "2026-11-20"
    api.tasks[tid(3)]["date"] = "2026-11-27T17:00:00+00:00"
    api.tasks[tid(4)]["date"] = "2026-11-21"
    assert cli("snooze", tid(1), tid(2), tid(3), tid(4), "+1w").exit_code == 0
    api.sent.clear()
    assert cli("undo", "--yes").exit_code == 0
    assert [(s.line(), s.body) for s in api.puts()] == [
        (f"PUT task/?id__in={tid(1)},{tid(2)}&_type=all", {"date": "2026-11-20"}),
        (f"PUT task/{tid(3)}/", {"date": "2026-11-27T17:00:00+00:00"}),
        (f"PUT task/{tid(4)}/", {"date": "2026-11-21"}),
    ]
    assert [api.tasks[tid(n)]["date"] for n in (1, 2, 3, 4)] == [
        "2026-11-20",
        "2026-11-20",
        "2026-11-27T17:00:00+00:00",
        "2026-11-21",
    ]


def test_undo_reassign_and_edit_restore_assignee_and_text(cli, api):
    assert cli("reassign", tid(1), tid(2), "--assign-to", JANE_ID).exit_code == 0
    assert cli("edit", tid(3), "--text", "Changed").exit_code == 0
    assert cli("undo", "--yes").exit_code == 0
    assert api.tasks[tid(3)]["text"] == "Task 3"
    assert api.sent[-1].line() == f"PUT task/{tid(3)}/" and api.sent[-1].body == {"text": "Task 3"}
    assert cli("undo", "--yes").exit_code == 0
    assert api.tasks[tid(1)]["assigned_to"] == ME_ID and api.tasks[tid(2)]["assigned_to"] == ME_ID


def test_undo_add_deletes_the_created_task(cli, api):
    created = cli("add", "Call", "--lead", "lead_Acme0123456789abcdefghijk").stdout.strip()
    assert created in api.tasks
    result = cli("undo", "--yes")
    assert result.exit_code == 0
    assert api.lines()[-1] == f"DELETE task/{created}/"
    assert created not in api.tasks
    assert result.stderr == "Undid `add Call --lead lead_Acme0123456789abcdefghijk`: deleted the 1 task it created.\n"


def test_undo_of_a_delete_says_it_cannot_and_leaves_the_entry(cli, api, journal_path):
    assert cli("done", tid(2)).exit_code == 0
    assert cli("delete", tid(1), "--yes").exit_code == 0
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    (entry,) = [e for e in UndoJournal(journal_path).entries() if e.action == "delete"]
    assert result.stderr.startswith(
        f"error: journal entry {entry.id} (delete) deleted 1 task, and Close cannot restore a deleted task\n"
    )
    assert "closetask undo ENTRY" in result.stderr
    entries = UndoJournal(journal_path).entries()
    assert entries[-1].status == "applied"
    # The earlier change can still be undone by naming it.
    result = cli("undo", entries[0].id, "--yes")
    assert result.exit_code == 0
    assert api.tasks[tid(2)]["is_complete"] is False


def test_undo_off_a_terminal_needs_yes(cli, api):
    assert cli("done", tid(1)).exit_code == 0
    api.sent.clear()
    result = cli("undo")
    assert result.exit_code == 2
    assert result.stderr == "error: undo needs confirmation: pass --yes when not on a terminal; nothing was changed\n"
    assert api.sent == []


def test_undo_on_a_terminal_asks(cli, api):
    cli.terminal.add("stdin")
    assert cli("done", tid(1)).exit_code == 0
    result = cli("undo", input="y\n")
    assert result.exit_code == 0
    assert "Undo `done task_T0001abcdefghijklmnop` (2026-11-28T10:00:00+00:00): restore 1 task? [y/N]" in result.stderr
    assert api.tasks[tid(1)]["is_complete"] is False


def test_undo_dry_run_prints_the_revert_and_changes_nothing(cli, api, journal_path):
    assert cli("done", tid(1), tid(2)).exit_code == 0
    api.sent.clear()
    result = cli("undo", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == f'PUT /api/v1/task/?id__in={tid(1)},{tid(2)}&_type=all {{"is_complete": false}}\n'
    assert api.sent == []
    assert UndoJournal(journal_path).entries()[0].status == "applied"


def test_undo_list_shows_recent_entries(cli, api):
    assert cli("done", tid(1), tid(2)).exit_code == 0
    assert cli("reassign", tid(3), "--assign-to", JANE_ID).exit_code == 0
    assert cli("undo", "--yes").exit_code == 0
    result = cli("undo", "--list")
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(ln[1], ln[2], ln[3], ln[4]) for ln in lines] == [
        ("2026-11-28 10:00", "undone", "1 task", f"reassign {tid(3)} --assign-to {JANE_ID}"),
        ("2026-11-28 10:00", "applied", "2 tasks", f"done {tid(1)} {tid(2)}"),
    ]
    listed = json.loads(cli("undo", "--list", "--json").stdout)
    assert [e["status"] for e in listed] == ["undone", "applied"]
    assert listed[1]["tasks"] == 2 and listed[1]["sent"] == 2 and listed[1]["changes"] == {"is_complete": True}


def test_undo_list_on_an_empty_journal(cli, api):
    result = cli("undo", "--list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "The journal is empty.\n"


def test_undo_an_unknown_entry_exits_2(cli, api):
    result = cli("undo", "ffffffff", "--yes")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no journal entry 'ffffffff'")


def test_undo_after_a_partial_failure_reverts_sent_and_failed_but_not_unsent(cli, api, journal_path):
    api.add(*(make_task(n) for n in range(100, 350)))
    refs = [tid(n) for n in range(100, 350)]
    api.hook = lambda s: (
        httpx.Response(500, json={"error": "boom"}) if s.method == "PUT" and refs[100] in s.params["id__in"] else None
    )
    assert cli("done", *refs).exit_code == 3
    api.hook = None
    api.sent.clear()
    assert cli("undo", "--yes").exit_code == 0
    # The failed chunk is reverted too: its state on the server is unknown (it may have applied).
    assert [len(s.params["id__in"].split(",")) for s in api.puts()] == [100, 100, 50]
    assert not any(api.tasks[r]["is_complete"] for r in refs)


def test_a_partial_undo_keeps_the_entry_undoable(cli, api, journal_path):
    api.add(*(make_task(n) for n in range(100, 350)))
    refs = [tid(n) for n in range(100, 350)]
    assert cli("done", *refs).exit_code == 0
    api.hook = lambda s: (
        httpx.Response(500, json={"error": "boom"}) if s.method == "PUT" and refs[0] in s.params["id__in"] else None
    )
    result = cli("undo", "--yes")
    assert result.exit_code == 3
    assert "run `closetask undo` again to finish" in result.stderr
    api.hook = None
    assert cli("undo", "--yes").exit_code == 0
    assert not any(api.tasks[r]["is_complete"] for r in refs)
    assert UndoJournal(journal_path).entries()[0].status == "undone"


def test_undo_json_prints_the_restored_tasks(cli, api):
    assert cli("done", tid(1), tid(2)).exit_code == 0
    printed = json.loads(cli("undo", "--yes", "--json").stdout)
    assert [(t["id"], t["is_complete"]) for t in printed] == [(tid(1), False), (tid(2), False)]


def test_a_corrupt_journal_line_does_not_block_undo(cli, api, journal_path):
    assert cli("done", tid(1)).exit_code == 0
    with journal_path.open("a") as f:
        f.write("{garbage\n")
    result = cli("undo", "--yes")
    assert result.exit_code == 0
    assert f"warning: {journal_path} line 5 skipped (not valid JSON)" in result.stderr
    assert api.tasks[tid(1)]["is_complete"] is False


def test_undo_reverts_an_entry_left_in_flight_by_a_crash(cli, api, journal_path):
    journal = UndoJournal(journal_path)
    entry = journal.begin(
        command="done 1 2",
        action="update",
        changes={"is_complete": True},
        before=[{"id": tid(1), "fields": {"is_complete": False}}, {"id": tid(2), "fields": {"is_complete": False}}],
    )
    journal.mark(entry.id, attempting=[tid(1), tid(2)])
    api.tasks[tid(1)]["is_complete"] = api.tasks[tid(2)]["is_complete"] = True  # it did arrive
    assert cli("undo", "--yes").exit_code == 0
    assert api.tasks[tid(1)]["is_complete"] is False and api.tasks[tid(2)]["is_complete"] is False


# --- undo never overwrites later work -----------------------------------------------------


def entry_ids(journal_path) -> list[str]:
    return [e.id for e in UndoJournal(journal_path).entries()]


def test_undoing_an_entry_a_later_command_superseded_leaves_the_task_alone(cli, api, journal_path):
    """snooze fri, snooze mon; undo the first: Monday stays (the old undo wiped it). Undo the
    second: Friday. Undo the first again: now nothing later stands in the way."""
    original = api.tasks[tid(1)]["date"]
    assert cli("snooze", tid(1), "fri").exit_code == 0
    assert cli("snooze", tid(1), "mon").exit_code == 0
    first, second = entry_ids(journal_path)
    result = cli("undo", first, "--yes")
    assert result.exit_code == 1
    assert (
        f"Left alone 1 task changed since `snooze {tid(1)} fri`: Task 1 (Acme Corp) (changed since by `snooze {tid(1)} mon`)"
        in (result.stderr)
    )
    assert (
        result.stderr.splitlines()[-2]
        == f"error: nothing to undo in journal entry {first} (snooze): every task it changed was changed since"
    )
    assert api.tasks[tid(1)]["date"] == "2026-11-30"  # Monday kept
    assert api.puts()[-1].body == {"date": "2026-11-30"}  # nothing sent by the refused undo
    assert cli("undo", "--yes").exit_code == 0  # the second: back to Friday
    assert api.tasks[tid(1)]["date"] == "2026-12-04"
    assert cli("undo", "--yes").exit_code == 0  # the first, now unopposed
    assert api.tasks[tid(1)]["date"] == original


def test_a_colleagues_later_change_is_not_overwritten_unless_forced(cli, api, journal_path):
    assert cli("snooze", tid(1), tid(2), "fri").exit_code == 0
    # A colleague moves task 2 to Tuesday in Close.
    api.tasks[tid(2)].update(date="2026-12-01", date_updated="2026-11-28T10:05:00+00:00")
    result = cli("undo", "--yes")
    assert result.exit_code == 3
    assert (
        "Left alone 1 task changed since" in result.stderr and "date is now 2026-12-01, not 2026-12-04" in result.stderr
    )
    (entry_id,) = entry_ids(journal_path)
    assert f"hint: closetask undo {entry_id} --force reverts them anyway" in result.stderr
    assert api.tasks[tid(1)]["date"] == "2026-11-28" and api.tasks[tid(2)]["date"] == "2026-12-01"
    (entry,) = UndoJournal(journal_path).entries()
    assert entry.status == "undone" and entry.undo_skipped == [tid(2)]
    assert cli("undo", "--yes").stderr == "Nothing to undo.\n"  # plain undo moves on
    forced = cli("undo", entry_id, "--force", "--yes")
    assert forced.exit_code == 0, forced.stderr
    assert api.tasks[tid(2)]["date"] == "2026-11-28"
    assert UndoJournal(journal_path).entries()[0].undo_skipped == []


def test_a_change_to_another_field_is_seen_by_date_updated(cli, api):
    assert cli("done", tid(1)).exit_code == 0
    api.tasks[tid(1)].update(assigned_to=JANE_ID, date_updated="2026-11-28T11:00:00+00:00")
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert "updated in Close at 2026-11-28T11:00:00+00:00, after this change" in result.stderr
    assert api.tasks[tid(1)]["is_complete"] is True
    # Within a minute of the change: the two clocks may differ that much, so it is not a conflict.
    assert cli("done", tid(2)).exit_code == 0
    api.tasks[tid(2)]["date_updated"] = "2026-11-28T10:00:50+00:00"
    assert cli("undo", "--yes").exit_code == 0 and api.tasks[tid(2)]["is_complete"] is False


def test_undoing_a_partly_failed_bulk_leaves_its_reruns_tasks_alone(cli, api, journal_path):
    api.add(*(make_task(n, date="2026-11-01") for n in range(100, 250)))
    refs = [tid(n) for n in range(100, 250)]
    second_chunk = refs[100]
    api.hook = lambda s: (
        httpx.Response(400, json={"errors": ["nope"]})
        if s.method == "PUT" and second_chunk in s.params["id__in"]
        else None
    )
    bulk = ["bulk", "--before", "-14d", "--complete", "--yes", "--concurrency", "1"]
    assert cli(*bulk).exit_code == 3  # 100 changed, the second chunk refused
    api.hook = None
    assert cli(*bulk).exit_code == 0  # the rerun finishes the 50
    first, _ = entry_ids(journal_path)
    result = cli("undo", first, "--yes")
    assert result.exit_code == 3
    assert "Left alone 50 tasks changed since" in result.stderr
    assert [r for r in refs if api.tasks[r]["is_complete"]] == refs[100:]  # the rerun's 50 stay done


# --- one change at a time ---------------------------------------------------------------


def held_lock(home, command: str):
    from closetask.state.lock import BulkLock

    return BulkLock(home / "state" / "profiles" / "default" / "bulk.lock", holder={"pid": 4242, "command": command})


def test_a_change_refuses_at_once_while_a_bulk_holds_the_profile(cli, api, home):
    with held_lock(home, "bulk --all --complete --yes"):
        result = cli("done", tid(1))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: another bulk is running for this profile (pid 4242): `closetask bulk --all")
    assert api.changes() == [] and api.tasks[tid(1)]["is_complete"] is False


def test_a_change_waits_a_moment_for_another_change_to_finish(cli, api, home):
    import threading

    lock = held_lock(home, "done 2")
    lock.acquire()
    threading.Timer(0.3, lock.release).start()
    result = cli("done", tid(1))
    assert result.exit_code == 0, result.stderr
    assert api.tasks[tid(1)]["is_complete"] is True


def test_two_undos_never_revert_one_entry_twice(cli, api, journal_path, monkeypatch):
    """The other undo finishes between this one's pick and its lock: this one stops."""
    from closetask.cli import task_changes as tc

    assert cli("done", tid(1)).exit_code == 0
    (entry_id,) = entry_ids(journal_path)
    real = tc.change_lock

    def other_undo_first(app, command):
        UndoJournal(journal_path).mark_undone(entry_id, sent=[tid(1)])
        return real(app, command)

    monkeypatch.setattr(tc, "change_lock", other_undo_first)
    api.sent.clear()
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: journal entry {entry_id} (done) was undone meanwhile by another run")
    assert api.changes() == []


def test_a_pending_entry_whose_process_is_gone_is_listed_as_interrupted(cli, api, journal_path, home):
    book = UndoJournal(journal_path)
    killed = book.begin(command="bulk --all --complete --yes", action="bulk", before=[{"id": tid(1), "fields": {}}])
    book.mark(killed.id, attempting=[tid(1)])  # SIGKILL here: no final status ever comes
    listed = cli("undo", "--list")
    assert listed.stdout.split("\t")[2] == "interrupted"
    assert json.loads(cli("undo", "--list", "--json").stdout)[0]["interrupted"] is True
    with held_lock(home, "bulk --all --complete --yes"):  # still running: pending, not interrupted
        assert json.loads(cli("undo", "--list", "--json").stdout)[0]["interrupted"] is False
    assert json.loads(cli("undo", "--list", "--json").stdout)[0]["status"] == "pending"  # the key keeps its meaning


# --- an add whose answer was lost ---------------------------------------------------------


def lose_post_answers(api, *, created_at: str = "2026-11-28T10:00:00+00:00", copies: int = 1):
    """Close creates the task (`copies` times), then the answer never arrives."""

    def hook(s):
        if s.method != "POST":
            return None
        for _ in range(copies):
            task = api.create(s).json()
            api.tasks[task["id"]]["date_created"] = created_at
        raise httpx.ReadTimeout("no answer")

    api.hook = hook


def test_an_add_whose_answer_was_lost_is_found_and_undone_before_older_entries(cli, api, journal_path):
    from fake_close import LEAD_ID

    assert cli("done", tid(1)).exit_code == 0  # an older, unrelated change
    lose_post_answers(api)
    lost = cli("add", "Call back about pricing", "--lead", LEAD_ID)
    assert lost.exit_code == 5, lost.stderr
    api.hook = None
    (created,) = [i for i, t in api.tasks.items() if t.get("text") == "Call back about pricing"]
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert created not in api.tasks  # found on the lead and deleted
    assert api.tasks[tid(1)]["is_complete"] is True  # the older change untouched
    assert cli("undo", "--yes").exit_code == 0 and api.tasks[tid(1)]["is_complete"] is False


def test_an_add_that_created_nothing_is_closed_and_the_next_undo_goes_on(cli, api):
    from fake_close import LEAD_ID

    assert cli("done", tid(1)).exit_code == 0
    api.hook = lambda s: httpx.Response(400, json={"errors": ["nope"]}) if s.method == "POST" else None
    assert cli("add", "Call back", "--lead", LEAD_ID).exit_code == 1
    api.hook = None
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert "no task it could have created is on" in result.stderr and "the entry is closed" in result.stderr
    assert api.tasks[tid(1)]["is_complete"] is True
    assert cli("undo", "--yes").exit_code == 0 and api.tasks[tid(1)]["is_complete"] is False


def test_an_uncertain_add_with_several_candidates_stops_and_says_so(cli, api, journal_path):
    from fake_close import LEAD_ID

    lose_post_answers(api, copies=2)
    assert cli("add", "Call back", "--lead", LEAD_ID).exit_code == 5
    api.hook = None
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert "2 tasks on" in result.stderr and "undo will not guess" in result.stderr
    assert len([t for t in api.tasks.values() if t.get("text") == "Call back"]) == 2
    (entry,) = UndoJournal(journal_path).entries()
    assert entry.status == "failed"  # still open: nothing was decided for the person
