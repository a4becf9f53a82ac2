"""`closetask bulk` at the transport: the exact listing and PUT requests, the journal written
before the first PUT, --max / --yes / --dry-run changing nothing, failures (exit 3, rerun
finishes), and undo of a bulk in chunks."""

from __future__ import annotations

import json

import httpx
import pytest

from fake_close import JANE_ID, KEY, LEAD_ID, ME_ID, journal_entries, overdue_task, tid

FIELDS = "_fields=id,date,is_complete,assigned_to,_type,text,subject,lead_name,phone_formatted,remote_phone_formatted"
# A full selection is read by creation-date ranges (close/http.py paginate_ranges).
RANGES = ",date_created&_order_by=date_created"


def ids(*numbers: int) -> str:
    return ",".join(tid(n) for n in numbers)


def stale(api, count: int, start: int = 1, **over) -> list[str]:
    """`count` overdue incomplete tasks of mine (dated 2026-11-01 unless `date=` says otherwise)."""
    tasks = [overdue_task(n, **over) for n in range(start, start + count)]
    api.add(*tasks)
    return [t["id"] for t in tasks]


# --- selection ------------------------------------------------------------------------


def test_before_type_complete_sends_one_listing_and_chunked_puts(cli, api, state):
    wanted = stale(api, 250, _type="email_followup")
    api.add(overdue_task(900, date="2026-11-20", _type="email_followup"))  # recent: not selected
    api.add(overdue_task(901, _type="email_followup", assigned_to=JANE_ID))  # Jane's: not selected
    api.add(overdue_task(902, _type="lead"))  # another type: not selected
    # --concurrency 1: pages in order, one at a time, so the exact sequence can be asserted
    # (the default fetches 4 at once: tests/bulk/test_bulk_e2e.py counts those).
    result = cli("bulk", "--before", "-14d", "--type", "email_followup", "--complete", "--yes", "--concurrency", "1")
    assert result.exit_code == 0, result.stderr
    listing = f"GET task/?_type=email_followup&assigned_to={ME_ID}&is_complete=false&date__lt=2026-11-14&{FIELDS}"
    chunks = [wanted[i : i + 100] for i in range(0, 250, 100)]
    read_back = [line for line in api.lines() if line.startswith("GET task/?id__in=")]
    assert [line for line in api.lines() if line not in read_back] == [
        "GET me/",
        f"{listing}{RANGES}&_skip=0&_limit=100",
        # One creation instant for all (a bulk import): stepped through inside it, a row overlapping.
        # (one more than a page each: the overlapping row is not a new task)
        f"{listing}{RANGES}&date_created__gte=2026-10-20T09:00:00+00:00&_skip=99&_limit=101",
        f"{listing}{RANGES}&date_created__gte=2026-10-20T09:00:00+00:00&_skip=199&_limit=101",
        *(f"PUT task/?id__in={','.join(chunk)}&_type=all" for chunk in chunks),
    ]
    # Each chunk read back once its PUT is answered (a bulk PUT skips a task deleted
    # meanwhile without a word), while the next chunks go out.
    assert sorted(read_back) == sorted(
        f"GET task/?id__in={','.join(c)}&_type=all&_fields=id,is_complete&_limit={len(c)}" for c in chunks
    )
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert all(s.body == {"is_complete": True} for s in api.puts())
    assert api.complete_ids() == set(wanted)
    assert result.stdout == ""
    line = result.stderr.strip().splitlines()[-1]
    (entry,) = journal_entries(state / "journal.jsonl")
    assert line.startswith("bulk: 250 matched, 250 changed, 0 failed in ")
    assert line.endswith(f" s (journal {entry.id}; undo with: closetask undo)")


def test_defaults_are_all_types_my_tasks_incomplete_only(cli, api):
    stale(api, 3)
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert (
        api.lines("GET")[1]
        == f"GET task/?_type=all&assigned_to={ME_ID}&is_complete=false&{FIELDS}{RANGES}&_skip=0&_limit=100"
    )
    assert api.lines("PUT") == [f"PUT task/?id__in={ids(1, 2, 3)}&_type=all"]


def test_reopen_selects_complete_tasks_and_sets_is_complete_false(cli, api):
    stale(api, 2, is_complete=True)
    stale(api, 2, start=3)
    result = cli("bulk", "--before", "2026-11-20", "--reopen", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "is_complete=true&date__lt=2026-11-20" in api.lines("GET")[1]
    assert api.lines("PUT") == [f"PUT task/?id__in={ids(1, 2)}&_type=all"]
    assert api.puts()[0].body == {"is_complete": False}


def test_after_is_the_day_after_and_filters_combine(cli, api):
    stale(api, 1)
    result = cli(
        "bulk",
        "--after",
        "2026-10-01",
        "--before",
        "2026-11-14",
        "--assignee",
        "all",
        "--lead",
        LEAD_ID,
        "--created-after",
        "2026-10-01",
        "--created-before",
        "2026-11-01",
        "--type",
        "lead,missed_call",
        "--complete",
        "--yes",
    )
    assert result.exit_code == 0, result.stderr
    (listing,) = api.lines("GET")
    assert listing == (
        f"GET task/?_type__in=lead,missed_call&lead_id={LEAD_ID}&is_complete=false&date__gte=2026-10-02&date__lt=2026-11-14"
        f"&date_created__gte=2026-10-01T00:00:00+00:00&date_created__lt=2026-11-01T00:00:00+00:00&{FIELDS}{RANGES}&_skip=0&_limit=100"
    )


def test_from_and_to_mean_what_they_mean_in_the_views(cli, api):
    """--from/--to include their day, --after/--before exclude theirs: the same range two ways."""
    stale(api, 1)
    inclusive = cli(
        "bulk", "--from", "2026-10-02", "--to", "2026-11-13", "--assignee", "all", "--complete", "--dry-run"
    )
    exclusive = cli(
        "bulk", "--after", "2026-10-01", "--before", "2026-11-14", "--assignee", "all", "--complete", "--dry-run"
    )
    assert inclusive.exit_code == exclusive.exit_code == 0, inclusive.stderr + exclusive.stderr
    first, second = api.lines("GET")
    assert first == second and "date__gte=2026-10-02&date__lt=2026-11-14" in first


@pytest.mark.parametrize(
    "tz, before",
    [
        ("-8", "2026-11-14"),
        ("-2.5", "2026-11-14"),
        ("UTC", "2026-11-14"),
        ("+5.5", "2026-11-15"),
        ("+13", "2026-11-15"),
    ],
)
def test_before_is_a_local_day_at_every_offset(cli, api, monkeypatch, tz, before):
    """At 20:00 UTC on the 28th it is already the 29th at +5.5 and +13."""
    monkeypatch.setenv("CLOSETASK_NOW", "2026-11-28T20:00:00+00:00")
    monkeypatch.setenv("CLOSETASK_TZ", tz)
    stale(api, 1)
    result = cli("bulk", "--before", "-14d", "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"&date__lt={before}&" in api.lines("GET")[1]


def test_view_inbox_is_sent_as_the_view(cli, api):
    stale(api, 2)
    result = cli("bulk", "--view", "inbox", "--assign-to", "jane@example.com", "--yes")
    assert result.exit_code == 0, result.stderr
    gets = api.lines("GET")
    assert gets[0] == "GET me/"
    assert gets[1] == "GET user/?_skip=0&_limit=100"
    assert gets[2] == f"GET task/?_type=all&assigned_to={ME_ID}&view=inbox&{FIELDS}{RANGES}&_skip=0&_limit=100"
    assert api.puts()[0].body == {"assigned_to": JANE_ID}


def test_ids_widen_the_assignee_and_accept_close_addresses(cli, api):
    api.add(overdue_task(1), overdue_task(2, assigned_to=JANE_ID))
    url = f"https://app.close.com/lead/{LEAD_ID}/#task/{tid(2)}"
    result = cli("bulk", "--id", tid(1), "--id", url, "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert api.lines() == [
        f"GET task/?id__in={ids(1, 2)}&_type=all&is_complete=false&{FIELDS}{RANGES}&_skip=0&_limit=100",
        f"PUT task/?id__in={ids(1, 2)}&_type=all",
        f"GET task/?id__in={ids(1, 2)}&_type=all&_fields=id,is_complete&_limit=2",
    ]


def test_many_ids_are_listed_in_chunks_of_id_in(cli, api):
    wanted = stale(api, 150)
    result = cli("bulk", "--id", "-", "--complete", "--yes", input="\n".join(wanted))
    assert result.exit_code == 0, result.stderr
    gets = api.lines("GET")
    assert len(gets) == 4  # two to select, two to read back
    assert gets[0].startswith(f"GET task/?id__in={','.join(wanted[:100])}&_type=all&is_complete=false&")
    assert gets[1].startswith(f"GET task/?id__in={','.join(wanted[100:])}&_type=all&is_complete=false&")
    assert len(api.puts()) == 2
    assert api.complete_ids() == set(wanted)


def test_one_task_goes_through_the_task_url(cli, api):
    stale(api, 1)
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert api.lines("PUT") == [f"PUT task/{tid(1)}/"]


def test_assign_and_date_together_and_skip_tasks_already_so(cli, api, state):
    stale(api, 2)
    api.add(overdue_task(3, date="2026-12-04"))
    result = cli("bulk", "--all", "--assign-to", "me", "--date", "2026-12-04", "--json", "--yes")
    assert result.exit_code == 0, result.stderr
    assert api.lines("PUT") == [f"PUT task/?id__in={ids(1, 2)}&_type=all"]
    assert api.puts()[0].body == {"assigned_to": ME_ID, "date": "2026-12-04"}
    summary = json.loads(result.stdout)
    assert (summary["matched"], summary["changed"], summary["skipped"]) == (3, 2, 1)
    (entry,) = journal_entries(state / "journal.jsonl")
    assert entry.before == [
        {"id": tid(1), "fields": {"assigned_to": ME_ID, "date": "2026-11-01"}},
        {"id": tid(2), "fields": {"assigned_to": ME_ID, "date": "2026-11-01"}},
    ]


# --- nothing changes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--all"], "nothing to change: pass --complete, --reopen, --assign-to WHO and/or --date WHEN"),
        (["--complete", "--yes"], "bulk needs a filter"),
        (["--assignee", "all", "--complete", "--yes"], "bulk needs a filter"),
        (["--type", "all", "--complete", "--yes"], "bulk needs a filter"),
        (["--all", "--complete", "--reopen", "--yes"], "--complete and --reopen cannot be combined"),
        (["--before", "someday", "--complete", "--yes"], "--before: "),
        (["--after", "fri 9am", "--complete", "--yes"], "--after: "),
        (["--all", "--date", "soon", "--yes"], "--date: "),
        (
            ["--after", "2026-11-10", "--before", "2026-11-11", "--complete", "--yes"],
            "no day is both after 2026-11-10 and before 2026-11-11: nothing can match",
        ),
        (["--view", "today", "--complete", "--yes"], "unknown view 'today'"),
        (["--view", "inbox", "--reopen", "--yes"], "--reopen selects complete tasks"),
        (["--view", "archive", "--complete", "--yes"], "--complete selects incomplete tasks"),
        (["--type", "calls", "--complete", "--yes"], "unknown task type 'calls'"),
        (["--id", "nope", "--complete", "--yes"], "invalid task REF 'nope'"),
        (["--all", "--complete"], "bulk needs confirmation: pass --yes when not on a terminal; nothing was changed"),
        (["--all", "--complete", "--max", "0", "--yes"], "Invalid value for '--max'"),
    ],
)
def test_bad_input_exits_2_before_any_request(cli, api, args, message):
    stale(api, 3)
    result = cli("bulk", *args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert api.sent == []


def test_more_than_max_changes_nothing(cli, api, state):
    stale(api, 12)
    result = cli("bulk", "--all", "--complete", "--yes", "--max", "10")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: 12 tasks match, more than --max 10; nothing was changed\n"
        "hint: narrow the filters, or raise the cap with --max 12\n"
    )
    assert api.puts() == []
    assert not (state / "journal.jsonl").exists()


def test_dry_run_lists_and_prints_the_puts_without_sending_them(cli, api, state):
    stale(api, 120)
    result = cli("bulk", "--all", "--complete", "--dry-run", "--max", "100")
    assert result.exit_code == 0, result.stderr
    assert api.puts() == []
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(
        ln.startswith("PUT /api/v1/task/?id__in=") and ln.endswith('&_type=all {"is_complete": true}') for ln in lines
    )
    assert "bulk: 120 matched, 120 to change (mark complete), 0 already so" in result.stderr
    assert "note: more than --max 100: without --dry-run this would change nothing" in result.stderr
    assert not (state / "journal.jsonl").exists()
    assert not (state / "bulk.lock").exists()


def test_dry_run_json_is_a_summary_with_the_ids(cli, api):
    wanted = stale(api, 3)
    result = cli("bulk", "--all", "--complete", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["dry_run"] is True
    assert summary["ids"] == wanted
    assert (summary["matched"], summary["changed"], summary["requests"], summary["journal_entry"]) == (3, 0, 1, None)
    assert api.puts() == []


def test_empty_selection_exits_0_without_journal_or_lock(cli, api, state):
    stale(api, 2, date="2026-11-27")
    result = cli("bulk", "--before", "-14d", "--complete", "--yes", "--json")
    assert result.exit_code == 0
    assert "bulk: no tasks match these filters; nothing to change" in result.stderr
    assert json.loads(result.stdout)["matched"] == 0
    assert api.puts() == []
    assert not (state / "journal.jsonl").exists()
    assert (state / "bulk.lock").read_text() == ""  # released at once


# --- the journal and failures ---------------------------------------------------------


def test_journal_entry_is_written_before_the_first_put(cli, api, state):
    wanted = stale(api, 150)
    seen: list[list] = []

    def hook(sent):
        if sent.method == "PUT" and not seen:
            seen.append(journal_entries(state / "journal.jsonl"))
        return None

    api.hook = hook
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    (entry,) = seen[0]
    assert entry.action == "bulk"
    assert entry.command == "bulk --all --complete --yes"
    assert entry.task_ids == wanted
    assert all(b["fields"] == {"is_complete": False} for b in entry.before)
    assert entry.attempting == entry.task_ids[:100]
    assert entry.sent == []
    (final,) = journal_entries(state / "journal.jsonl")
    assert final.status == "applied" and sorted(final.sent) == sorted(wanted)


def test_a_failed_chunk_exits_3_and_the_rerun_finishes(cli, api, state):
    stale(api, 250)
    puts = []

    def hook(sent):
        if sent.method == "PUT":
            puts.append(sent)
            if len(puts) == 2:
                return httpx.Response(500, json={"error": "boom"})
        return None

    api.hook = hook
    result = cli("bulk", "--all", "--complete", "--yes", "--json")
    assert result.exit_code == 3
    second = puts[1].params["id__in"].split(",")
    summary = json.loads(result.stdout)
    assert (summary["matched"], summary["changed"], summary["failed"]) == (250, 150, 100)
    assert summary["failed_ids"] == second
    assert "bulk: 250 matched, 150 changed, 100 failed in " in result.stderr
    # The 500'd chunk is read back: not applied, so failed and not unknown.
    assert (summary["unknown"], summary["gone"]) == (0, 0)
    assert "error: 150 changed, 100 not confirmed: Close answered 500: boom" in result.stderr
    (entry,) = journal_entries(state / "journal.jsonl")
    assert entry.status == "partial"
    assert set(entry.sent) == api.complete_ids()
    assert entry.failed == second

    api.hook = None
    again = cli("bulk", "--all", "--complete", "--yes")
    assert again.exit_code == 0, again.stderr
    assert api.lines("PUT")[-1] == f"PUT task/?id__in={','.join(second)}&_type=all"
    assert len(api.complete_ids()) == 250


def test_a_rejected_key_stops_at_the_first_chunk(cli, api, state):
    stale(api, 250)
    api.hook = lambda s: httpx.Response(401, json={"error": "bad key"}) if s.method == "PUT" else None
    result = cli("bulk", "--all", "--complete", "--yes", "--json")
    assert result.exit_code == 4
    assert len(api.puts()) == 1
    summary = json.loads(result.stdout)
    assert (summary["changed"], summary["failed"], summary["not_sent"]) == (0, 100, 150)


def test_the_key_is_in_neither_the_journal_nor_the_lock_file(cli, api, state):
    stale(api, 3)
    lock_text: list[str] = []
    api.hook = lambda s: lock_text.append((state / "bulk.lock").read_text()) if s.method == "PUT" else None
    result = cli("bulk", "--all", "--complete", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert lock_text and lock_text[0]  # written while the run held the lock
    for text in (*lock_text, (state / "journal.jsonl").read_text(), result.output):
        assert KEY not in text
        assert KEY.split(".")[1] not in text


# --- undo -----------------------------------------------------------------------------


def test_undo_of_a_1000_task_bulk_is_10_puts(cli, api, state):
    wanted = stale(api, 1000)
    result = cli("bulk", "--all", "--complete", "--yes", "--max", "1000")
    assert result.exit_code == 0, result.stderr
    assert len(api.puts()) == 10
    # /me/, ten pages, at most 3 fetched ahead past the end, and ten reads back
    assert 21 <= len(api.lines("GET")) <= 24
    undone = cli("undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    reverts = api.puts()[10:]
    assert len(reverts) == 10
    assert all(s.body == {"is_complete": False} and s.params["_type"] == "all" for s in reverts)
    assert api.complete_ids() == set()
    assert sorted(i for s in reverts for i in s.params["id__in"].split(",")) == sorted(wanted)


def test_undo_of_a_move_groups_tasks_by_their_old_date(cli, api):
    api.add(*(overdue_task(n, date="2026-11-01") for n in range(1, 151)))
    api.add(*(overdue_task(n, date="2026-11-02T09:30:00+00:00") for n in range(151, 201)))
    result = cli("bulk", "--all", "--date", "2026-12-07", "--yes")
    assert result.exit_code == 0, result.stderr
    assert cli("undo", "--yes").exit_code == 0
    reverts = api.puts()[2:]
    assert [(s.body["date"], len(s.params["id__in"].split(","))) for s in reverts] == [
        ("2026-11-01", 100),
        ("2026-11-01", 50),
        ("2026-11-02T09:30:00+00:00", 50),
    ]
    assert {t["date"] for t in api.tasks.values()} == {"2026-11-01", "2026-11-02T09:30:00+00:00"}


def test_every_chunk_failing_still_exits_3_so_a_cron_rerun_finishes(cli, api, state):
    """Nothing got through (503 on every try), but a rerun will: exit 3, not the 5xx's 1."""
    stale(api, 150)
    api.hook = lambda s: httpx.Response(503, json={"error": "down"}) if s.method == "PUT" else None
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 3
    assert len(api.puts()) == 5  # the first chunk, five tries; the second is not sent
    assert "error: 0 changed, 100 not confirmed, 50 not sent: Close answered 503: down" in result.stderr
    (entry,) = journal_entries(state / "journal.jsonl")
    assert entry.status == "failed" and entry.sent == []
    api.hook = None
    assert cli("bulk", "--all", "--complete", "--yes").exit_code == 0
    assert len(api.complete_ids()) == 150


def test_an_invalid_change_keeps_its_own_exit_code(cli, api):
    stale(api, 150)
    api.hook = lambda s: httpx.Response(400, json={"errors": ["nope"]}) if s.method == "PUT" else None
    result = cli("bulk", "--all", "--complete", "--yes")
    assert result.exit_code == 1
    assert "error: Close answered 400: nope" in result.stderr
    assert len(api.puts()) == 1  # it would only repeat: the rest is not sent
