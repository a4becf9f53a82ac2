"""Every changing command: the exact requests at the transport, the messages, --json, --dry-run,
and the exit code of each error. The fake Close is stateful, so results are checked there too."""

from __future__ import annotations

import json

import httpx
import pytest

from fake_close import JANE_ID, KEY, LEAD_ID, ME_ID, journal_records, make_task, tid

LABELS = "_fields=id,_type,text,subject,lead_name,phone_formatted,remote_phone_formatted"


def ids_param(*numbers: int) -> str:
    return ",".join(tid(n) for n in numbers)


# --- done / reopen --------------------------------------------------------------------


def test_done_two_rows_is_one_read_and_one_bulk_put(cli, api, rows):
    rows(tid(1), tid(2), tid(3))
    result = cli("done", "1", "3")
    assert result.exit_code == 0, result.stderr
    # Row numbers: the read also asks what tells whether each row still shows its task.
    assert api.lines() == [
        f"GET task/?id__in={ids_param(1, 3)}&_type=all&{LABELS},is_complete,date,assigned_to&_limit=2",
        f"PUT task/?id__in={ids_param(1, 3)}&_type=all",
    ]
    assert api.sent[-1].body == {"is_complete": True}
    assert result.stdout == ""
    assert result.stderr == ("Completed 2 tasks: Task 1 (Acme Corp), Task 3 (Acme Corp)\nundo with: closetask undo\n")
    assert [api.tasks[tid(n)]["is_complete"] for n in (1, 2, 3)] == [True, False, True]


def test_done_one_task_uses_the_task_url(cli, api):
    result = cli("done", tid(2))
    assert result.exit_code == 0, result.stderr
    assert api.lines("PUT") == [f"PUT task/{tid(2)}/"]
    assert api.sent[-1].body == {"is_complete": True}


def test_done_skips_tasks_already_complete(cli, api):
    api.tasks[tid(1)]["is_complete"] = True
    result = cli("done", tid(1), tid(2), tid(3))
    assert result.exit_code == 0
    assert api.lines("PUT") == [f"PUT task/?id__in={ids_param(2, 3)}&_type=all"]
    assert "Skipped 1 task already complete: Task 1 (Acme Corp)" in result.stderr
    assert "Completed 2 tasks" in result.stderr


def test_done_when_everything_is_already_done_sends_no_change_and_no_journal(cli, api, journal_path):
    api.tasks[tid(1)]["is_complete"] = True
    result = cli("done", tid(1))
    assert result.exit_code == 0
    assert api.changes() == []
    assert not journal_path.exists()


def test_reopen_sets_is_complete_false(cli, api):
    api.tasks[tid(4)]["is_complete"] = True
    api.tasks[tid(5)]["is_complete"] = True
    result = cli("reopen", tid(4), tid(5))
    assert result.exit_code == 0, result.stderr
    assert api.lines("PUT") == [f"PUT task/?id__in={ids_param(4, 5)}&_type=all"]
    assert api.sent[-1].body == {"is_complete": False}
    assert result.stderr.startswith("Reopened 2 tasks: Task 4 (Acme Corp), Task 5 (Acme Corp)\n")


def test_done_touches_non_lead_tasks_too(cli, api):
    """Without _type the bulk PUT would skip the missed call (Close's lead-only default)."""
    result = cli("done", tid(1), tid(6))
    assert result.exit_code == 0
    assert api.tasks[tid(6)]["is_complete"] is True
    assert "+1 415-555-0100" in result.stderr


def test_250_tasks_go_in_three_chunked_puts(cli, api):
    api.add(*(make_task(n) for n in range(100, 350)))
    refs = [tid(n) for n in range(100, 350)]
    result = cli("done", "-", input="\n".join(refs) + "\n")
    assert result.exit_code == 0, result.stderr
    gets, puts = api.lines("GET"), api.lines("PUT")
    assert len(gets) == 3 and len(puts) == 3
    sizes = [len(s.params["id__in"].split(",")) for s in api.sent if s.method == "PUT"]
    assert sizes == [100, 100, 50]
    assert all(s.params["_type"] == "all" for s in api.sent)
    assert all(api.tasks[r]["is_complete"] for r in refs)
    assert (
        "Completed 250 tasks: Task 100 (Acme Corp), Task 101 (Acme Corp), Task 102 (Acme Corp) and 247 more"
        in result.stderr
    )


def test_done_json_refetches_bulk_updated_tasks_in_one_get(cli, api):
    result = cli("done", tid(2), tid(1), "--json")
    assert result.exit_code == 0
    assert api.lines()[-1] == f"GET task/?id__in={ids_param(2, 1)}&_type=all&_limit=2"
    printed = json.loads(result.stdout)
    assert [t["id"] for t in printed] == [tid(2), tid(1)]
    assert all(t["is_complete"] and t["view"] == "archive" for t in printed)


def test_done_json_for_one_task_prints_the_put_answer_without_another_get(cli, api):
    result = cli("done", tid(2), "--json")
    assert [s.method for s in api.sent] == ["GET", "PUT"]
    assert json.loads(result.stdout)[0]["is_complete"] is True


def test_unknown_task_id_exits_1_and_changes_nothing(cli, api, journal_path):
    result = cli("done", tid(1), tid(77))
    assert result.exit_code == 1
    assert result.stderr == f"error: no such task: {tid(77)}\n"
    assert api.changes() == []
    assert not journal_path.exists()


# --- reassign -------------------------------------------------------------------------


def test_reassign_resolves_the_email_once_and_bulk_puts(cli, api, rows):
    rows(tid(1), tid(2))
    result = cli("reassign", "1", "2", "--assign-to", "JANE@example.com")
    assert result.exit_code == 0, result.stderr
    assert api.lines() == [
        "GET user/?_skip=0&_limit=100",
        f"GET task/?id__in={ids_param(1, 2)}&_type=all&{LABELS},assigned_to,is_complete,date&_limit=2",
        f"PUT task/?id__in={ids_param(1, 2)}&_type=all",
    ]
    assert api.sent[-1].body == {"assigned_to": JANE_ID}
    assert result.stderr.startswith("Reassigned 2 tasks to JANE@example.com: ")
    # The user list is cached per profile: a second reassign does not fetch it again.
    cli("reassign", "1", "--assign-to", "rep@example.com")
    assert api.lines("GET").count("GET user/?_skip=0&_limit=100") == 1


def test_reassign_to_me_and_to_a_user_id(cli, api):
    assert cli("reassign", tid(1), "--assign-to", JANE_ID).exit_code == 0
    assert api.tasks[tid(1)]["assigned_to"] == JANE_ID
    assert cli("reassign", tid(1), "--assign-to", "me").exit_code == 0
    assert api.tasks[tid(1)]["assigned_to"] == ME_ID
    assert "GET me/" in api.lines("GET")


def test_reassign_unknown_email_exits_2_listing_close_matches(cli, api):
    result = cli("reassign", tid(1), "--assign-to", "jane@exmaple.com")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: no user with email 'jane@exmaple.com' in this organization; did you mean jane@example.com, rep@example.com?\n"
    )
    assert api.changes() == []


GONE_ID = "user_B1PY189hFoz2JxCdJL69cAAYffIcQZlV8mI7rhf8P1L"


@pytest.fixture
def with_a_user_who_left(monkeypatch):
    """Real Close keeps people who left in GET /user/ with `organizations: []`
    (tests/recorded/users_list_closex_2017.json has five)."""
    import fake_close
    from recorded_close import recorded

    gone = next(u for u in recorded("users_list_closex_2017.json")["data"] if u["id"] == GONE_ID)
    assert gone["organizations"] == []
    active = [{**u, "organizations": ["orga_1"]} for u in fake_close.USERS]
    monkeypatch.setattr(fake_close, "USERS", [*active, gone])
    return gone


@pytest.mark.parametrize(
    "command", [("reassign", "1", "--assign-to"), ("add", "Call", "--lead", LEAD_ID, "--assign-to")]
)
def test_giving_tasks_to_someone_who_left_exits_2_saying_why(cli, api, with_a_user_who_left, command):
    cli("inbox", "--table")
    result = cli(*command, with_a_user_who_left["email"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: ben.miller@nested.com is no longer in an organization (Close lists none for them): "
        "assign the tasks to a current user\n"
    )
    assert api.changes() == []


def test_someone_who_left_is_refused_by_user_id_once_the_cache_knows_them(cli, api, with_a_user_who_left):
    assert cli("reassign", tid(1), "--assign-to", "jane@example.com").exit_code == 0  # fills the users cache
    result = cli("reassign", tid(1), "--assign-to", GONE_ID)
    assert result.exit_code == 2 and "no longer in an organization" in result.stderr
    result = cli("bulk", "--id", tid(2), "--assign-to", GONE_ID, "--yes")
    assert result.exit_code == 2 and "no longer in an organization" in result.stderr
    assert api.tasks[tid(1)]["assigned_to"] == JANE_ID and api.tasks[tid(2)]["assigned_to"] != GONE_ID


def test_the_tasks_of_someone_who_left_can_still_be_listed(cli, api, with_a_user_who_left):
    api.tasks[tid(3)]["assigned_to"] = GONE_ID
    result = cli("inbox", "--assignee", with_a_user_who_left["email"], "--ids")
    assert result.exit_code == 0, result.stderr
    assert api.sent[-1].params.get("assigned_to") == GONE_ID


def test_a_colleague_who_joined_after_the_cache_was_filled_is_found(cli, api, monkeypatch):
    import fake_close

    assert cli("reassign", tid(1), "--assign-to", "jane@example.com").exit_code == 0
    new = {
        "id": "user_NewHire0123456789abcdefghij",
        "email": "new@example.com",
        "first_name": "Nia",
        "last_name": "New",
        "organizations": ["orga_1"],
    }
    monkeypatch.setattr(fake_close, "USERS", [*fake_close.USERS, new])
    result = cli("reassign", tid(1), "--assign-to", "new@example.com")
    assert result.exit_code == 0, result.stderr
    assert api.tasks[tid(1)]["assigned_to"] == new["id"]
    assert api.lines("GET").count("GET user/?_skip=0&_limit=100") == 2
    # and the refreshed cache serves the next lookup without a request
    assert cli("reassign", tid(2), "--assign-to", "new@example.com").exit_code == 0
    assert api.lines("GET").count("GET user/?_skip=0&_limit=100") == 2


@pytest.mark.parametrize("old", ["--to", "-t"])
def test_reassigns_old_spellings_still_work_and_are_journaled_as_the_new_one(cli, api, journal_path, old):
    result = cli("reassign", tid(1), old, JANE_ID)
    assert result.exit_code == 0, result.stderr
    assert api.tasks[tid(1)]["assigned_to"] == JANE_ID
    assert journal_records(journal_path)[0]["command"] == f"reassign {tid(1)} --assign-to {JANE_ID}"
    assert "--to" not in cli("reassign", "--help").stdout  # hidden
    clash = cli("reassign", tid(1), "--assign-to", "me", old, JANE_ID)
    assert clash.exit_code == 2 and "disagree" in clash.stderr


def users_requests(api) -> int:
    return api.lines("GET").count("GET user/?_skip=0&_limit=100")


def test_the_users_cache_lives_in_the_cache_directory_and_expires_after_a_day(cli, api, home):
    assert cli("reassign", tid(1), "--assign-to", "jane@example.com").exit_code == 0
    cache = home / "cache" / "profiles" / "default" / "users.json"
    stored = json.loads(cache.read_text())
    assert stored["at"] == "2026-11-28T10:00:00+00:00" and KEY not in cache.read_text()
    assert all("organizations" in u for u in stored["value"])
    later = {"CLOSETASK_NOW": "2026-11-29T09:59:00+00:00"}
    assert cli("reassign", tid(2), "--assign-to", "jane@example.com", env=later).exit_code == 0
    assert users_requests(api) == 1  # 23 h 59 min old: still good
    a_day_later = {"CLOSETASK_NOW": "2026-11-29T10:00:01+00:00"}
    assert cli("reassign", tid(3), "--assign-to", "jane@example.com", env=a_day_later).exit_code == 0
    assert users_requests(api) == 2


def test_a_cache_an_older_closetask_left_in_the_state_directory_is_moved_once(cli, api, home):
    import fake_close

    old = home / "state" / "profiles" / "default" / "users.json"
    old.parent.mkdir(parents=True)
    fingerprint = __import__("hashlib").sha256(KEY.encode()).hexdigest()[:16]
    users = [{**u, "organizations": ["orga_1"]} for u in fake_close.USERS]
    old.write_text(json.dumps({"key": fingerprint, "at": "2026-11-28T09:00:00+00:00", "value": users}))
    assert cli("reassign", tid(1), "--assign-to", "jane@example.com").exit_code == 0
    assert users_requests(api) == 0  # the old file answered
    assert not old.exists() and (home / "cache" / "profiles" / "default" / "users.json").exists()


def test_config_refresh_asks_close_again_for_me_and_the_users(cli, api, with_a_user_who_left):
    assert cli("reassign", tid(1), "--assign-to", "jane@example.com").exit_code == 0
    result = cli("config", "refresh")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Refreshed: you are rep@example.com; 3 users, 1 of them no longer in an organization.\n"
    assert users_requests(api) == 2 and api.lines("GET").count("GET me/") == 1


def test_reassign_needs_assign_to(cli, api):
    result = cli("reassign", tid(1))
    assert result.exit_code == 2
    assert result.stderr == "error: reassign needs --assign-to WHO: me, a user's email, or a user ID\n"
    assert api.sent == []


# --- snooze / edit --------------------------------------------------------------------


def test_snooze_to_a_day_sends_a_date_only_value(cli, api):
    result = cli("snooze", tid(1), tid(2), "mon")
    assert result.exit_code == 0, result.stderr
    assert api.sent[-1].body == {"date": "2026-11-30"}
    assert result.stderr.startswith("Moved 2 tasks to Mon 30 Nov 2026 (no time): ")


def test_snooze_with_a_space_in_when_unquoted_explains_quoting(cli, api):
    result = cli("snooze", tid(1), "tomorrow", "9am")
    assert result.exit_code == 2
    assert "hint: a WHEN with a space goes in quotes" in result.stderr
    assert api.sent == []


def test_snooze_of_a_pasted_lead_id_says_what_it_is_without_the_quoting_hint(cli, api):
    result = cli("snooze", LEAD_ID, "tomorrow")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {LEAD_ID} is a lead ID, not a task")
    assert "quotes" not in result.stderr
    assert api.sent == []


def test_snooze_bad_when_exits_2_listing_forms_before_anything_is_sent(cli, api):
    result = cli("snooze", tid(1), "someday")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid date 'someday': use today, tomorrow")
    assert api.sent == []


def test_edit_text_and_date_of_a_lead_task(cli, api):
    result = cli("edit", tid(3), "--text", "Call about the renewal", "--date", "2026-12-04 14:30")
    assert result.exit_code == 0, result.stderr
    assert api.lines() == [
        f"GET task/?id__in={tid(3)}&_type=all&{LABELS},date&_limit=1",
        f"PUT task/{tid(3)}/",
    ]
    assert api.sent[-1].body == {"text": "Call about the renewal", "date": "2026-12-04T14:30:00+00:00"}
    assert api.tasks[tid(3)]["text"] == "Call about the renewal"


def test_edit_text_of_a_call_task_is_refused_with_exit_2(cli, api, journal_path):
    result = cli("edit", tid(6), "--text", "Call back")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: only lead tasks have text that can be changed; this is a missed_call task (--date works)\n"
    )
    assert api.changes() == []
    assert not journal_path.exists()


NOTI = "noti_" + "E" * 43


def test_edit_text_dry_run_refuses_a_noti_task_as_the_real_run_does(cli, api, journal_path):
    api.add(make_task(7, id=NOTI, _type="email_followup", text=None))
    dry = cli("edit", NOTI, "--text", "Call back", "--dry-run")
    assert dry.exit_code == 2
    assert (
        dry.stderr == f"error: only lead tasks have text that can be changed; {NOTI} is a system task (--date works)\n"
    )
    assert dry.stdout == "" and api.sent == []
    real = cli("edit", NOTI, "--text", "Call back")
    assert real.exit_code == 2
    assert (
        real.stderr
        == "error: only lead tasks have text that can be changed; this is an email_followup task (--date works)\n"
    )
    assert api.changes() == [] and not journal_path.exists()
    # --date is allowed on system tasks, dry or not
    moved = cli("edit", NOTI, "--date", "tomorrow", "--dry-run")
    assert moved.exit_code == 0 and moved.stdout == f'PUT /api/v1/task/{NOTI}/ {{"date": "2026-11-29"}}\n'


def test_edit_date_of_a_call_task_works(cli, api):
    assert cli("edit", tid(6), "--date", "tomorrow").exit_code == 0
    assert api.sent[-1].line() == f"PUT task/{tid(6)}/"
    assert api.sent[-1].body == {"date": "2026-11-29"}


def test_edit_needs_an_option(cli, api):
    result = cli("edit", tid(1))
    assert result.exit_code == 2
    assert result.stderr == "error: nothing to edit: pass --text, --date or both\n"
    assert api.sent == []


def test_edit_json_prints_the_task(cli, api):
    result = cli("edit", tid(1), "--text", "New", "--json")
    assert json.loads(result.stdout)[0]["text"] == "New"


# --- add ------------------------------------------------------------------------------


def test_add_posts_a_lead_task_and_prints_its_id(cli, api):
    result = cli(
        "add",
        "Send the proposal",
        "--lead",
        f"https://app.close.com/lead/{LEAD_ID}/",
        "--date",
        "fri",
        "--assign-to",
        "jane@example.com",
    )
    assert result.exit_code == 0, result.stderr
    assert api.lines() == ["GET user/?_skip=0&_limit=100", "POST task/"]
    assert api.sent[-1].body == {
        "lead_id": LEAD_ID,
        "text": "Send the proposal",
        "date": "2026-12-04",
        "assigned_to": JANE_ID,
    }
    new_id = result.stdout.strip()
    assert new_id in api.tasks
    assert result.stderr == (
        "Added task Send the proposal (Acme Corp) for Fri 04 Dec 2026 (no time)\nundo with: closetask undo\n"
    )


def test_add_without_date_or_assignee_sends_only_lead_and_text(cli, api):
    result = cli("add", "Call", "--lead", LEAD_ID, "--json")
    assert result.exit_code == 0
    assert api.sent[-1].body == {"lead_id": LEAD_ID, "text": "Call"}
    assert json.loads(result.stdout)["text"] == "Call"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("Call", "--lead", "acme"),
            "error: invalid lead 'acme': expected a lead ID (lead_...) or a Close lead address\n",
        ),
        (("  ", "--lead", LEAD_ID), "error: the task text is empty: say what is to be done\n"),
    ],
)
def test_add_bad_input_exits_2(cli, api, args, message):
    result = cli("add", *args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert api.sent == []


def test_add_validation_error_from_close_exits_1_with_its_message(cli, api, journal_path):
    api.hook = lambda s: (
        httpx.Response(400, json={"errors": [], "field-errors": {"lead": "Object does not exist."}})
        if s.method == "POST"
        else None
    )
    result = cli("add", "Call", "--lead", LEAD_ID)
    assert result.exit_code == 1
    assert result.stderr == "error: Close answered 400: lead: Object does not exist.\n"
    entry = journal_records(journal_path)
    assert entry[-1]["status"] == "failed"


# --- show -----------------------------------------------------------------------------


def test_show_prints_every_field(cli, api):
    api.tasks[tid(1)]["priority"] = "high"
    result = cli("show", tid(1))
    assert result.exit_code == 0
    assert api.lines() == [f"GET task/{tid(1)}/"]
    lines = result.stdout.splitlines()
    assert lines[0] == "Task 1"
    assert f"ID           {tid(1)}" in lines
    assert "Date         Sat 28 Nov 2026 (no time)" in lines
    assert "priority     high" in lines


def test_show_json_is_the_raw_object(cli, api):
    result = cli("show", tid(6), "--json")
    assert json.loads(result.stdout) == api.tasks[tid(6)]


def test_show_missing_task_exits_1(cli, api):
    result = cli("show", tid(99))
    assert result.exit_code == 1
    assert result.stderr == "error: Close answered 404: Empty query: Task matching query does not exist.\n"


# --- delete ---------------------------------------------------------------------------


def test_delete_off_a_terminal_without_yes_exits_2_and_sends_nothing(cli, api):
    result = cli("delete", tid(1))
    assert result.exit_code == 2
    assert result.stderr == "error: delete needs confirmation: pass --yes when not on a terminal; nothing was deleted\n"
    assert api.sent == []


def test_delete_with_yes_reads_then_deletes_each_and_journals_the_objects(cli, api, journal_path):
    original = dict(api.tasks[tid(2)])
    result = cli("delete", tid(1), tid(2), "--yes")
    assert result.exit_code == 0, result.stderr
    assert api.lines() == [
        f"GET task/?id__in={ids_param(1, 2)}&_type=all&_limit=2",
        f"DELETE task/{tid(1)}/",
        f"DELETE task/{tid(2)}/",
    ]
    assert tid(1) not in api.tasks and tid(2) not in api.tasks
    entry = journal_records(journal_path)[0]
    assert entry["action"] == "delete"
    assert entry["before"][1] == {"id": tid(2), "fields": original}
    assert "cannot be restored" in result.stderr


def test_delete_on_a_terminal_asks_first(cli, api):
    cli.terminal.add("stdin")
    refused = cli("delete", tid(1), input="n\n")
    assert refused.exit_code == 1
    assert "Delete 1 task for good?" in refused.stderr
    assert api.changes() == []
    accepted = cli("delete", tid(1), input="y\n")
    assert accepted.exit_code == 0
    assert api.lines("DELETE") == [f"DELETE task/{tid(1)}/"]


# --- --dry-run ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (("done", tid(1), tid(2)), [f'PUT /api/v1/task/?id__in={ids_param(1, 2)}&_type=all {{"is_complete": true}}']),
        (("done", tid(1)), [f'PUT /api/v1/task/{tid(1)}/ {{"is_complete": true}}']),
        (
            ("reopen", tid(1), tid(2)),
            [f'PUT /api/v1/task/?id__in={ids_param(1, 2)}&_type=all {{"is_complete": false}}'],
        ),
        (
            ("reassign", tid(1), tid(2), "--assign-to", JANE_ID),
            [f'PUT /api/v1/task/?id__in={ids_param(1, 2)}&_type=all {{"assigned_to": "{JANE_ID}"}}'],
        ),
        (
            ("snooze", tid(1), tid(2), "+1w"),
            [f'PUT /api/v1/task/?id__in={ids_param(1, 2)}&_type=all {{"date": "2026-12-05"}}'],
        ),
        (("edit", tid(1), "--text", "X"), [f'PUT /api/v1/task/{tid(1)}/ {{"text": "X"}}']),
        (("delete", tid(1), tid(2)), [f"DELETE /api/v1/task/{tid(1)}/", f"DELETE /api/v1/task/{tid(2)}/"]),
        (("add", "Call", "--lead", LEAD_ID), [f'POST /api/v1/task/ {{"lead_id": "{LEAD_ID}", "text": "Call"}}']),
    ],
)
def test_dry_run_prints_the_requests_and_sends_nothing(cli, api, journal_path, args, expected):
    result = cli(*args, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == expected
    # Nothing changed: at most the organization's users are read, to check a user ID.
    assert [s.path for s in api.sent] == (["user/"] if "reassign" in args else [])
    assert not journal_path.exists()


def test_a_user_id_nobody_has_is_refused_with_a_did_you_mean(cli, api):
    typo = JANE_ID[:-1] + ("x" if JANE_ID[-1] != "x" else "y")
    result = cli("reassign", tid(1), "--assign-to", typo)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: no user {typo} in this organization; did you mean {JANE_ID} (")
    assert [s.path for s in api.sent] == ["user/"]  # no cache yet: read once, fresh
    assert api.lines("PUT") == []
    listing = cli("inbox", "--assignee", typo)
    assert listing.exit_code == 2 and "did you mean" in listing.stderr


def test_dry_run_works_without_a_key(cli, home, monkeypatch):
    monkeypatch.delenv("CLOSE_API_KEY", raising=False)
    result = cli("done", tid(1), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == f'PUT /api/v1/task/{tid(1)}/ {{"is_complete": true}}\n'


def test_no_key_exits_4(cli, home):
    result = cli("done", tid(1))
    assert result.exit_code == 4
    assert result.stderr.startswith("error: no API key")


# --- failures -------------------------------------------------------------------------


def test_a_failed_chunk_among_others_exits_3_and_the_rest_is_applied(cli, api, journal_path):
    api.add(*(make_task(n) for n in range(100, 350)))
    refs = [tid(n) for n in range(100, 350)]
    # The second chunk fails for good (a 500 is not retried); the third still goes out.
    api.hook = lambda s: (
        httpx.Response(500, json={"error": "boom"}) if s.method == "PUT" and refs[100] in s.params["id__in"] else None
    )
    result = cli("done", *refs)
    assert result.exit_code == 3
    # A 500 does not say whether the chunk applied: it is read back, and found not applied.
    assert "error: 150 changed, 100 not confirmed: Close answered 500: boom\n" in result.stderr
    assert "unknown" not in result.stderr
    read_back = [line for line in api.lines("GET") if refs[100] in line and "_fields=id,is_complete&" in line]
    assert len(read_back) == 1
    assert "Completed 150 tasks" in result.stderr
    assert {r for r in refs if api.tasks[r]["is_complete"]} == set(refs[:100] + refs[200:])
    folded = _fold(journal_path)
    assert folded.status == "partial"
    assert set(folded.sent) == set(refs[:100] + refs[200:])
    assert folded.failed == refs[100:200]
    # Running the same command again finishes the job (the done ones are skipped).
    api.hook = None
    again = cli("done", *refs)
    assert again.exit_code == 0
    assert all(api.tasks[r]["is_complete"] for r in refs)
    assert "Skipped 150 tasks already complete" in again.stderr


def test_an_interrupted_done_says_what_changed_and_exits_130(cli, api, journal_path):
    """Ctrl-C while the second chunk is out: it may have applied (unknown), the third was
    never sent; the counts say so, and the journal keeps the second as attempted for undo."""
    api.add(*(make_task(n) for n in range(100, 350)))
    refs = [tid(n) for n in range(100, 350)]

    def hook(s):
        if s.method == "PUT" and refs[100] in s.params["id__in"]:
            raise KeyboardInterrupt
        return None

    api.hook = hook
    result = cli("done", *refs)
    assert result.exit_code == 130
    assert "interrupted: 100 changed, 100 not confirmed (100 unknown: may have been applied), 50 not sent\n" in (
        result.stderr
    )
    assert "Completed 100 tasks" in result.stderr
    folded = _fold(journal_path)
    assert folded.status == "partial" and folded.failed == refs[100:200] and set(folded.sent) == set(refs[:100])
    api.hook = None
    assert cli("undo", "--yes").exit_code == 0
    assert not any(api.tasks[r]["is_complete"] for r in refs)


def test_a_validation_error_stops_before_the_remaining_chunks(cli, api):
    api.add(*(make_task(n) for n in range(100, 350)))
    refs = [tid(n) for n in range(100, 350)]
    api.hook = lambda s: (
        httpx.Response(400, json={"errors": ["boom"], "field-errors": {}})
        if s.method == "PUT" and refs[100] in s.params["id__in"]
        else None
    )
    result = cli("done", *refs)
    assert result.exit_code == 3
    assert "error: 100 changed, 100 not confirmed, 50 not sent: Close answered 400: boom\n" in result.stderr
    assert len(api.lines("PUT")) == 2


def _fold(path):
    from closetask.state.journal import UndoJournal

    (entry,) = UndoJournal(path).entries()
    return entry


def test_a_server_error_on_every_chunk_keeps_its_own_exit_code(cli, api):
    api.hook = lambda s: httpx.Response(500, text="") if s.method == "PUT" else None
    result = cli("done", tid(1), tid(2))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Close answered 500")


def test_the_key_never_reaches_output_or_journal(cli, api, journal_path, rows):
    rows(tid(1))
    outputs = [cli("done", "1"), cli("undo", "--yes"), cli("undo", "--list", "--json"), cli("show", "1")]
    assert all(KEY not in r.output for r in outputs)
    assert KEY not in journal_path.read_text()
