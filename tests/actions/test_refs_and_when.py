"""REFs and WHENs as the commands take them: row numbers, IDs, addresses, `-` on stdin, bad input
exiting 2 with nothing sent; date-only vs date-time bodies at several UTC offsets."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closetask.core.refs import RowRefs, parse_task_refs, split_refs
from closetask.errors import UsageError

from fake_close import LEAD_ID, tid

# --- REFs through the commands --------------------------------------------------------


def test_row_numbers_ids_and_addresses_mix(cli, api, rows):
    rows(tid(1), tid(2), tid(3))
    url = f"https://app.close.com/lead/{LEAD_ID}/#task={tid(4)}"
    result = cli("done", "2", tid(5), url, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == f'PUT /api/v1/task/?id__in={tid(2)},{tid(5)},{tid(4)}&_type=all {{"is_complete": true}}\n'


def test_repeated_refs_count_once(cli, api, rows):
    rows(tid(1), tid(2))
    result = cli("done", "1", tid(1), "1", "--dry-run")
    assert result.stdout == f'PUT /api/v1/task/{tid(1)}/ {{"is_complete": true}}\n'


def test_dash_reads_refs_from_stdin(cli, api, rows):
    rows(tid(1), tid(2), tid(3))
    result = cli("done", "-", "--dry-run", input=f"{tid(5)}\n  3\t{tid(4)}\n\n")
    assert result.exit_code == 0
    assert result.stdout == f'PUT /api/v1/task/?id__in={tid(5)},{tid(3)},{tid(4)}&_type=all {{"is_complete": true}}\n'


def test_dash_with_empty_stdin_exits_2(cli, api):
    result = cli("done", "-", input="")
    assert result.exit_code == 2
    assert result.stderr == "error: no task REFs given (stdin was empty)\n"
    assert api.sent == []


def test_dash_on_a_terminal_exits_2(cli, api):
    cli.terminal.add("stdin")
    result = cli("done", "-")
    assert result.exit_code == 2
    assert result.stderr == "error: '-' reads REFs from stdin, but stdin is a terminal\n"


@pytest.mark.parametrize(
    "command",
    [
        ("done",),
        ("reopen",),
        ("reassign", "--assign-to", "me"),
        ("snooze",),
        ("delete", "--yes"),
        ("show",),
        ("edit", "--text", "x"),
    ],
)
def test_a_row_number_without_a_listing_exits_2_and_sends_nothing(cli, api, journal_path, command):
    name, *opts = command
    args = [name, "2", *opts] + (["tomorrow"] if name == "snooze" else [])
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: row 2: no table was shown on this terminal to take row numbers from; run `closetask inbox` first"
    )
    assert api.sent == []
    assert not journal_path.exists()


def test_a_row_number_past_the_listing_exits_2(cli, api, rows):
    rows(tid(1), tid(2))
    result = cli("done", "1", "7")
    assert result.exit_code == 2
    assert result.stderr == "error: row 7 is not in the last listing (inbox: rows 1-2)\n"
    assert api.sent == []


@pytest.mark.parametrize(
    "bad",
    ["task_short", "noti_short", "hello", "0x3", "2.5", "task_abc!defghijklmnop", "notification_abcdefghijklmnop"],
)
def test_malformed_refs_exit_2_saying_what_was_expected(cli, api, bad):
    result = cli("done", tid(1), bad)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: invalid task REF {bad!r}: expected a row number from the last listing (3), "
        "a task ID (task_... or noti_...), or a Close address containing one\n"
    )
    assert api.sent == []


LEAD = "lead_MH9KHM5OqPHgTyGj5liiN3LTPIyuGBqzBS4uzkTtpeN"


@pytest.mark.parametrize(
    "bad, says",
    [
        (
            LEAD,
            f"{LEAD} is a lead ID, not a task: pass a task ID (task_... or noti_...) or a row number; to list its tasks: closetask inbox --lead {LEAD}",
        ),
        (
            "user_SOwJFVMqtgZCL6QrMDLujSXbQabQnNfOwjFX1mdOulg",
            "user_SOwJFVMqtgZCL6QrMDLujSXbQabQnNfOwjFX1mdOulg is a user ID, not a task: pass a task ID (task_... or noti_...) or a row number; to list their tasks: closetask inbox --assignee user_SOwJFVMqtgZCL6QrMDLujSXbQabQnNfOwjFX1mdOulg",
        ),
        (
            "acti_wK6I4m4SqRMvvm0VHR8DhdUL35HRfjIlBkrMVCKWNaU",
            "acti_wK6I4m4SqRMvvm0VHR8DhdUL35HRfjIlBkrMVCKWNaU is an activity ID (an email, a call, or a completed task's completion record), not a task: pass a task ID (task_... or noti_...) or a row number",
        ),
        (
            "oppo_1TfmaSLuECcdSQIBnjUOBj1gAXdyrp4SFaogvcEmtbk",
            "oppo_1TfmaSLuECcdSQIBnjUOBj1gAXdyrp4SFaogvcEmtbk is an opportunity ID, not a task: pass a task ID (task_... or noti_...) or a row number; its tasks are opportunity_due tasks: closetask inbox --type opportunity_due --assignee all",
        ),
        (
            f"https://app.close.com/lead/{LEAD}/",
            f"'https://app.close.com/lead/{LEAD}/' is a lead's address with no task in it: pass a task ID (task_... or noti_...) or a row number; to list the lead's tasks: closetask inbox --lead {LEAD}",
        ),
        (
            f"https://app.close.com/lead/{LEAD}/#task={tid(1)}&task={tid(2)}",
            f"'https://app.close.com/lead/{LEAD}/#task={tid(1)}&task={tid(2)}' names 2 tasks; pass one REF per task",
        ),
    ],
)
def test_an_id_of_another_kind_says_what_it_is_and_what_to_pass(cli, api, bad, says):
    result = cli("done", tid(1), bad)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {says}\n")
    assert api.sent == []


NOTI = "noti_3I4QaKqYel0nzGyKT8mpDKy4q2KKu4IuIZZ3Gb7gs4x"


@pytest.mark.parametrize(
    "ref",
    [NOTI, f"  {NOTI}\t", f"https://app.close.com/lead/{LEAD}/#task={NOTI}", f"https://app.close.com/inbox/{NOTI}/"],
)
def test_system_task_ids_and_addresses_resolve(ref):
    assert parse_task_refs(split_refs([ref], None), ROWS) == [NOTI]
    assert parse_task_refs(split_refs(["-"], f"{ref}\n{tid(1)}\n"), ROWS) == [NOTI, tid(1)]


def test_a_missing_ref_or_an_option_like_ref_is_a_usage_error(cli, api):
    for args in (("done",), ("done", "-3")):
        result = cli(*args)
        assert result.exit_code == 2
    assert "No such option: -3" in result.stderr
    assert api.sent == []


# --- property: REF parsing never sends garbage -----------------------------------------

_alnum = st.text(string.ascii_letters + string.digits, min_size=10, max_size=40)
task_ids = st.tuples(st.sampled_from(["task_", "noti_"]), _alnum).map("".join)
ROWS = RowRefs(tuple(f"task_Row{n:03d}abcdefghijkl" for n in range(1, 31)), "inbox")


@st.composite
def ref_and_id(draw):
    kind = draw(st.sampled_from(["row", "id", "url"]))
    if kind == "row":
        n = draw(st.integers(1, 30))
        return str(n), ROWS.ids[n - 1]
    task_id = draw(task_ids)
    if kind == "id":
        return task_id, task_id
    lead = draw(_alnum)
    return f"https://app.close.com/lead/lead_{lead}/#task={task_id}", task_id


@settings(max_examples=300, deadline=None)
@given(st.lists(ref_and_id(), min_size=1, max_size=12))
def test_valid_refs_resolve_to_their_ids_in_order_without_repeats(pairs):
    refs = [r for r, _ in pairs]
    expected = list(dict.fromkeys(i for _, i in pairs))
    assert parse_task_refs(split_refs(refs, None), ROWS) == expected
    # The same REFs through stdin, whitespace-separated, give the same IDs.
    assert parse_task_refs(split_refs(["-"], "\n".join(refs)), ROWS) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_either_a_task_id_or_a_usage_error(text):
    try:
        ids = parse_task_refs(split_refs([text], None), ROWS)
    except UsageError as exc:
        assert exc.exit_code == 2
        assert "\n" not in exc.message
        return
    for task_id in ids:
        assert task_id[:5] in ("task_", "noti_") and task_id.isascii()
        assert task_id[5:].isalnum()


# --- WHEN through the commands, at several offsets -------------------------------------

# CLOSETASK_NOW is 2026-11-28T10:00Z: Saturday 02:00 at -8, Saturday 15:30 at +5.5.


@pytest.mark.parametrize(
    "tz, when, expected",
    [
        ("-8", "tomorrow", "2026-11-29"),
        ("-8", "tomorrow 9am", "2026-11-29T17:00:00+00:00"),
        ("-8", "2026-12-04 14:30", "2026-12-04T22:30:00+00:00"),
        ("-8", "2026-12-04T14:30:00+01:00", "2026-12-04T13:30:00+00:00"),
        ("-8", "mon", "2026-11-30"),
        ("-8", "+1m", "2026-12-28"),
        ("5.5", "tomorrow", "2026-11-29"),
        ("5.5", "tomorrow 9am", "2026-11-29T03:30:00+00:00"),
        ("5.5", "today 23:59", "2026-11-28T18:29:00+00:00"),
        ("5.5", "fri 14:30", "2026-12-04T09:00:00+00:00"),
        ("-2.5", "today", "2026-11-28"),
        ("+13", "today", "2026-11-28"),
        ("+13", "tomorrow 00:30", "2026-11-28T11:30:00+00:00"),
    ],
)
def test_snooze_sends_date_only_or_date_time_as_typed(cli, api, tz, when, expected):
    api.tasks[tid(1)]["date"] = "2026-10-01"
    result = cli("snooze", tid(1), when, env={"CLOSETASK_TZ": tz})
    assert result.exit_code == 0, result.stderr
    assert api.sent[-1].body == {"date": expected}
    assert api.tasks[tid(1)]["date"] == expected


def test_today_depends_on_the_offset(cli, api):
    # 2026-11-28T10:00Z is already Sunday the 29th at +14 (Line Islands).
    assert cli("snooze", tid(1), "today", "--dry-run", env={"CLOSETASK_TZ": "14"}).stdout.endswith(
        '{"date": "2026-11-29"}\n'
    )
    assert cli("snooze", tid(1), "today", "--dry-run", env={"CLOSETASK_TZ": "-11"}).stdout.endswith(
        '{"date": "2026-11-27"}\n'
    )


@pytest.mark.parametrize(
    "tz, when, expected", [("-8", "fri", "2026-12-04"), ("5.5", "fri 9am", "2026-12-04T03:30:00+00:00")]
)
def test_add_and_edit_send_the_same_values(cli, api, tz, when, expected):
    assert cli("add", "Call", "--lead", LEAD_ID, "--date", when, env={"CLOSETASK_TZ": tz}).exit_code == 0
    assert api.sent[-1].body["date"] == expected
    assert cli("edit", tid(2), "--date", when, env={"CLOSETASK_TZ": tz}).exit_code == 0
    assert api.sent[-1].body == {"date": expected}


@pytest.mark.parametrize("when", ["someday", "25:00", "2026-02-30", "tomorrow 13pm", ""])
def test_an_unparseable_when_exits_2_listing_the_forms(cli, api, when):
    for args in (
        ("snooze", tid(1), when),
        ("add", "x", "--lead", LEAD_ID, "--date", when),
        ("edit", tid(1), "--date", when),
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert "use today, tomorrow, fri, next week, +3d/-2w/+1m" in result.stderr
    assert api.sent == []


# --- row numbers belong to the table a terminal showed -------------------------------------


def test_a_tsv_listing_elsewhere_does_not_change_what_a_row_number_means(cli, api):
    shown = cli("inbox", "--table")  # the table the rep reads
    assert shown.exit_code == 0, shown.stderr
    first_row = cli("inbox", "--ids").stdout.split()[0]
    assert cli("future").exit_code == 0  # a status bar or `| wc -l` in a pipe: TSV
    assert cli("archive", "--assignee", "all").exit_code == 0
    result = cli("done", "1")
    assert result.exit_code == 0, result.stderr
    assert api.tasks[first_row]["is_complete"] is True


def test_each_terminal_has_its_own_rows(cli, api):
    cli.tty_name = "/dev/pts/1"
    assert cli("inbox", "--type", "lead", "--table").exit_code == 0
    cli.tty_name = "/dev/pts/2"
    assert cli("inbox", "--type", "missed_call", "--table").exit_code == 0
    in_pane_2 = json.loads(cli("show", "1", "--json").stdout)["id"]
    cli.tty_name = "/dev/pts/1"
    in_pane_1 = json.loads(cli("show", "1", "--json").stdout)["id"]
    assert (in_pane_1, in_pane_2) == (tid(1), tid(6))


def test_row_numbers_without_a_terminal_are_refused_with_a_hint(cli, api):
    cli.tty_name = ""  # cron: no controlling terminal
    result = cli("done", "1")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: row numbers name rows of the table last shown on this terminal, and this run has no terminal "
        "(cron?): name tasks by ID (closetask inbox --ids)\n"
    )
    assert api.changes() == []
    assert cli("done", tid(1)).exit_code == 0  # IDs work anywhere


def test_a_row_whose_task_changed_since_the_table_is_left_alone_unless_forced(cli, api):
    assert cli("inbox", "--table").exit_code == 0
    order = cli("inbox", "--ids").stdout.split()
    moved, gone, fine = order[0], order[1], order[2]
    api.tasks[moved]["date"] = "2026-12-10"  # a colleague moved row 1 past today
    del api.tasks[gone]  # and deleted row 2
    result = cli("snooze", "1", "2", "3", "mon")
    assert result.exit_code == 3
    assert "Left alone 2 tasks no longer where its row showed it:" in result.stderr
    assert "(moved past today since the inbox was shown)" in result.stderr
    assert f"{gone} (gone from Close (deleted since))" in result.stderr
    assert "hint: list again and use the new row numbers, or pass --force" in result.stderr
    assert api.tasks[moved]["date"] == "2026-12-10" and api.tasks[fine]["date"] == "2026-11-30"
    forced = cli("snooze", "1", "mon", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert api.tasks[moved]["date"] == "2026-11-30"


def test_a_row_given_to_someone_else_is_left_alone_and_an_already_done_one_is_just_done(cli, api):
    assert cli("inbox", "--table").exit_code == 0
    first, second = cli("inbox", "--ids").stdout.split()[:2]
    api.tasks[first]["assigned_to"] = "user_SomeoneElse0123456789abcd"
    api.tasks[second]["is_complete"] = True  # someone completed it: `done` has nothing to do
    result = cli("done", "1", "2")
    assert result.exit_code == 1
    assert "assigned to someone else since the table was shown" in result.stderr
    assert (
        result.stderr.splitlines()[-2]
        == "error: nothing changed: 1 task named by row changed since the table was shown"
    )
    assert api.tasks[first]["is_complete"] is False


def test_a_row_this_profile_changed_since_the_table_still_means_its_task(cli, api):
    assert cli("inbox", "--table").exit_code == 0
    second = cli("inbox", "--ids").stdout.split()[1]
    assert cli("done", "2").exit_code == 0
    result = cli("reopen", "2")  # completed since the table: by our own `done 2`
    assert result.exit_code == 0, result.stderr
    assert api.tasks[second]["is_complete"] is False


def test_delete_by_a_row_that_no_longer_shows_its_task_deletes_nothing(cli, api):
    assert cli("inbox", "--table").exit_code == 0
    first = cli("inbox", "--ids").stdout.split()[0]
    api.tasks[first]["assigned_to"] = "user_SomeoneElse0123456789abcd"  # handed to a colleague
    result = cli("delete", "1", "--yes")
    assert result.exit_code == 1
    assert "assigned to someone else since the table was shown" in result.stderr
    assert (
        result.stderr.splitlines()[-2]
        == "error: nothing deleted: 1 task named by row changed since the table was shown"
    )
    assert first in api.tasks and api.lines("DELETE") == []
    forced = cli("delete", "1", "--yes", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert first not in api.tasks


# --- issue 16: negative offsets, kept times of day, eod, past times ---------------------------


@pytest.mark.parametrize("args", [("-2w",), ("-2w", "--dry-run"), ("--dry-run", "-1d"), ("-1 week",)])
def test_a_negative_offset_is_the_positional_when(cli, api, rows, args):
    rows(tid(1), tid(2), tid(3))
    result = cli("snooze", "1", "3", *args, "--all-day", "--dry-run")
    assert result.exit_code == 0, result.stderr
    expected = "2026-11-21" if args[-1] in ("-1d", "-1 week") else "2026-11-14"
    expected = "2026-11-27" if "-1d" in args else expected
    assert result.stdout == f'PUT /api/v1/task/?id__in={tid(1)},{tid(3)}&_type=all {{"date": "{expected}"}}\n'


def test_real_options_still_work_around_a_negative_when(cli, api, rows):
    rows(tid(1))
    assert cli("snooze", "1", "-2w", "--bogus").exit_code == 2
    result = cli("snooze", "1", "-2w", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["date"] == "2026-11-14"


@pytest.mark.parametrize(
    "tz, current, when, expected",
    [
        ("-8", "2026-11-27T22:00:00+00:00", "fri", "2026-12-04T22:00:00+00:00"),  # 14:00 at -8
        ("5.5", "2026-11-27T08:30:00+00:00", "+1d", "2026-11-29T08:30:00+00:00"),  # 14:00 at +5:30
        ("-2.5", "2026-11-27T16:30:00+00:00", "dec 4", "2026-12-04T16:30:00+00:00"),
        ("America/Los_Angeles", "2026-10-30T21:00:00+00:00", "next week", "2026-11-30T22:00:00+00:00"),  # PDT->PST
        ("-8", "2026-11-27", "fri", "2026-12-04"),  # date-only stays date-only
        ("-8", "2026-11-27T22:00:00+00:00", "fri 9am", "2026-12-04T17:00:00+00:00"),  # a time given wins
    ],
)
def test_a_day_alone_keeps_a_timed_tasks_time_of_day(cli, api, tz, current, when, expected):
    api.tasks[tid(1)]["date"] = current
    result = cli("snooze", tid(1), when, env={"CLOSETASK_TZ": tz})
    assert result.exit_code == 0, result.stderr
    assert api.tasks[tid(1)]["date"] == expected
    api.tasks[tid(2)]["date"] = current
    assert cli("edit", tid(2), "--date", when, env={"CLOSETASK_TZ": tz}).exit_code == 0
    assert api.tasks[tid(2)]["date"] == expected


def test_all_day_drops_the_time(cli, api):
    api.tasks[tid(1)]["date"] = "2026-11-27T22:00:00+00:00"
    assert cli("snooze", tid(1), "fri", "--all-day", env={"CLOSETASK_TZ": "-8"}).exit_code == 0
    assert api.tasks[tid(1)]["date"] == "2026-12-04"
    assert cli("edit", tid(1), "--all-day").exit_code == 2


def test_tasks_with_different_times_get_one_put_per_time_and_undo_puts_each_back(cli, api):
    times = {tid(1): "2026-11-27T14:00:00+00:00", tid(2): "2026-11-27T09:00:00+00:00", tid(3): "2026-11-26"}
    times[tid(4)] = times[tid(1)]
    for task_id, value in times.items():
        api.tasks[task_id]["date"] = value
    result = cli("snooze", *times, "mon", env={"CLOSETASK_TZ": "0"})
    assert result.exit_code == 0, result.stderr
    assert {task_id: api.tasks[task_id]["date"] for task_id in times} == {
        tid(1): "2026-11-30T14:00:00+00:00",
        tid(2): "2026-11-30T09:00:00+00:00",
        tid(3): "2026-11-30",
        tid(4): "2026-11-30T14:00:00+00:00",
    }
    assert sorted(len(s.params.get("id__in", "x").split(",")) for s in api.puts()) == [1, 1, 2]
    assert "keeping each timed task's time of day" in result.stderr
    assert cli("undo", "--yes").exit_code == 0, "undo must not see its own per-task values as someone's change"
    assert {task_id: api.tasks[task_id]["date"] for task_id in times} == times


@pytest.mark.parametrize("tz", ["-8", "5.5", "0"])
def test_eod_is_the_profiles_end_of_day(cli, api, tz):
    # CLOSETASK_NOW is 2026-11-28T10:00Z; at +5.5 17:00 on the 28th is 11:30Z
    expected = {"-8": "2026-11-29T01:00:00+00:00", "5.5": "2026-11-28T11:30:00+00:00", "0": "2026-11-28T17:00:00+00:00"}
    result = cli("snooze", tid(1), "eod", env={"CLOSETASK_TZ": tz})
    assert result.exit_code == 0, result.stderr
    assert api.tasks[tid(1)]["date"] == expected[tz]


def test_eod_setting_is_validated_and_used(cli, api):
    assert cli("config", "set", "eod", "25:00").exit_code != 0
    assert cli("config", "set", "eod", "18:30").exit_code == 0
    assert cli("snooze", tid(1), "eod", env={"CLOSETASK_TZ": "0"}).exit_code == 0
    assert api.tasks[tid(1)]["date"] == "2026-11-28T18:30:00+00:00"


def test_a_time_already_past_today_warns_on_a_terminal_only(cli, api):
    # 10:00 at UTC: 9am has passed, 11am has not
    cli.terminal.add("stderr")
    warned = cli("snooze", tid(1), "9am", "--dry-run", env={"CLOSETASK_TZ": "0"})
    assert warned.exit_code == 0
    passed = [line for line in warned.stderr.splitlines() if "passed" in line]
    assert passed == ["warning: 09:00 today has already passed (it is 10:00); the task will be overdue"]
    assert "passed" not in cli("snooze", tid(1), "11am", "--dry-run", env={"CLOSETASK_TZ": "0"}).stderr
    cli.terminal.discard("stderr")
    assert "passed" not in cli("snooze", tid(1), "9am", "--dry-run", env={"CLOSETASK_TZ": "0"}).stderr


@pytest.mark.parametrize(
    "when, expected",
    [
        ("next fri", "2026-12-04"),
        ("in 3 days", "2026-12-01"),
        ("4 dec", "2026-12-04"),
        ("dec 4 9am", "2026-12-04T09:00:00+00:00"),
        ("+2h", "2026-11-28T12:00:00+00:00"),
    ],
)
def test_bulk_date_takes_the_same_forms(cli, api, when, expected):
    result = cli("bulk", "--id", tid(1), "--date", when, "--dry-run", env={"CLOSETASK_TZ": "0"})
    assert result.exit_code == 0, result.stderr
    assert f'"date": "{expected}"' in result.stdout
