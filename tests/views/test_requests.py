"""What the views send, asserted at the transport: exact query parameters per option, paging,
the /me/ cache, and bad input refused before any request."""

from __future__ import annotations

import pytest

from view_data import ME, OTHER, T, task

MY_INBOX = {
    "_type": "all",
    "assigned_to": ME["id"],
    "view": "inbox",
    "_order_by": "date_created",
    "_skip": "0",
    "_limit": "100",
}


def test_default_inbox_request(cli, fake):
    result = cli("inbox", "--json")
    assert result.exit_code == 0, result.stderr
    assert fake.paths() == ["me/", "task/"]
    assert fake.task_requests() == [MY_INBOX]


def test_me_is_fetched_once_then_cached(cli, fake):
    for _ in range(3):
        assert cli("inbox", "--ids").exit_code == 0
    assert fake.paths() == ["me/", "task/", "task/", "task/"]


def test_x_tz_offset_is_sent(cli, fake, monkeypatch):
    headers = []
    handler = fake.handler

    def spy(request):
        headers.append(request.headers.get("X-TZ-Offset"))
        return handler(request)

    monkeypatch.setattr(fake, "handler", spy)
    assert cli("inbox", "--ids", env={"CLOSETASK_TZ": "-8"}).exit_code == 0
    assert headers == ["-8", "-8"]


@pytest.mark.parametrize(
    ("args", "changed", "removed"),
    [
        (["future"], {"view": "future"}, []),
        (["archive"], {"view": "archive", "_order_by": "-date"}, []),
        (["archive", "--order", "date"], {"view": "archive", "_order_by": "date"}, []),
        (["inbox", "--order", "-created"], {"_order_by": "-date_created"}, []),
        (["inbox", "--type", "lead"], {"_type": "lead"}, []),
        (["inbox", "--type", "outgoing_call"], {"_type": "outgoing_call"}, []),
        (
            ["inbox", "-t", "missed_call,voicemail", "-t", "incoming_sms"],
            {"_type__in": "missed_call,voicemail,incoming_sms"},
            ["_type"],
        ),
        (["inbox", "-t", "voicemail", "-t", "all"], {}, []),
        (
            ["inbox", "--lead", "https://app.close.com/lead/lead_abcdefghij0123456789/"],
            {"lead_id": "lead_abcdefghij0123456789"},
            [],
        ),
        (["inbox", "--assignee", OTHER["id"]], {"assigned_to": OTHER["id"]}, []),
        (["inbox", "--from", "-7d"], {"date__gte": "2026-11-21"}, []),
        # The inbox ends today anyway: a later --to adds nothing (Close would override it).
        (["inbox", "--to", "+3d"], {}, []),
        # An earlier --to would be overridden by view=inbox, so the view is sent as what it means.
        (
            ["inbox", "--from", "2026-11-01", "--to", "yesterday"],
            {"is_complete": "false", "date__gte": "2026-11-01", "date__lt": "2026-11-28"},
            ["view"],
        ),
        (["future", "--to", "+7d"], {"view": "future", "date__lt": "2026-12-06"}, []),
        (["future", "--from", "tomorrow"], {"view": "future"}, []),
        (["future", "--from", "fri"], {"is_complete": "false", "date__gte": "2026-12-04"}, ["view"]),
        (
            ["archive", "--from", "-1w", "--to", "today"],
            {"view": "archive", "_order_by": "-date", "date__gte": "2026-11-21", "date__lt": "2026-11-29"},
            [],
        ),
        (
            ["inbox", "--created-from", "2026-11-01", "--created-before", "today"],
            {"date_created__gte": "2026-11-01T00:00:00+00:00", "date_created__lt": "2026-11-28T00:00:00+00:00"},
            [],
        ),
        # the old spelling, hidden, means the same
        (["inbox", "--created-after", "2026-11-01"], {"date_created__gte": "2026-11-01T00:00:00+00:00"}, []),
        # --after/--before exclude their day, as in bulk: the same range as --from/--to a day in
        (
            ["archive", "--after", "-1w", "--before", "tomorrow"],
            {"view": "archive", "_order_by": "-date", "date__gte": "2026-11-22", "date__lt": "2026-11-29"},
            [],
        ),
        (
            ["archive", "--from", "-1w", "--after", "-3d"],
            {"view": "archive", "_order_by": "-date", "date__gte": "2026-11-26"},
            [],
        ),
        (
            ["archive", "--to", "today", "--before", "-3d"],
            {"view": "archive", "_order_by": "-date", "date__lt": "2026-11-25"},
            [],
        ),
        # --limit cuts the display order, not Close's: the page is read whole (first_rows)
        (["inbox", "--limit", "7"], {"_order_by": "date"}, []),
    ],
)
def test_options_to_params(cli, fake, args, changed, removed):
    result = cli(*args, "--ids")
    assert result.exit_code == 0, result.stderr
    expected = {**MY_INBOX, "_fields": "id,date,date_created", **changed}
    for key in removed:
        expected.pop(key)
    if "--limit" not in args:  # a full listing is read by creation-date ranges, whatever the order
        expected["_order_by"] = "date_created"
    assert fake.task_requests() == [expected]


@pytest.mark.parametrize(
    ("args", "order_by"),
    [
        (["inbox"], "date"),
        (["archive"], "-date"),
        (["archive", "--order", "date"], "date"),
        (["inbox", "--order", "-created"], "-date_created"),
        (["inbox", "--order", "created"], "date_created"),
    ],
)
def test_a_limited_listing_pages_in_the_order_asked(cli, fake, args, order_by):
    """--limit reads Close's pages in the order shown until row N is settled (first_rows)."""
    result = cli(*args, "--ids", "--limit", "5")
    assert result.exit_code == 0, result.stderr
    assert [p["_order_by"] for p in fake.task_requests()] == [order_by]


def test_assignee_all_sends_no_assigned_to_and_needs_no_me(cli, fake):
    assert cli("inbox", "--assignee", "all", "--json").exit_code == 0
    assert fake.paths() == ["task/"]
    assert "assigned_to" not in fake.task_requests()[0]


def test_assignee_email_is_resolved_through_the_user_list(cli, fake):
    assert cli("inbox", "--assignee", "SAM@example.com", "--json").exit_code == 0
    assert fake.paths() == ["user/", "task/"]
    assert fake.task_requests()[0]["assigned_to"] == OTHER["id"]


def test_created_bounds_are_local_midnights_in_utc(cli, fake):
    result = cli("inbox", "--json", "--created-after", "2026-11-01", env={"CLOSETASK_TZ": "-8"})
    assert result.exit_code == 0, result.stderr
    assert fake.task_requests()[0]["date_created__gte"] == "2026-11-01T08:00:00+00:00"
    cli("inbox", "--json", "--created-before", "2026-11-01", env={"CLOSETASK_TZ": "+5.5"})
    assert fake.task_requests()[1]["date_created__lt"] == "2026-10-31T18:30:00+00:00"


def test_every_page_is_fetched(cli, fake):
    fake.tasks = [task(T(n), "lead", "2026-11-28") for n in range(1, 251)]
    result = cli("inbox", "--ids")
    assert result.stdout.splitlines() == [T(n) for n in range(1, 251)]
    assert result.stderr == ""  # no progress indicator: stderr is not a terminal
    # Ranges, each from the last task read (which the next page repeats, dropped): 250 tasks in 3 pages.
    assert [p.get("date_created__gte") for p in fake.task_requests()] == [None, *[fake.tasks[0]["date_created"]] * 2]


def test_limit_stops_fetching_once_no_later_page_can_change_the_first_rows(cli, fake):
    """Ten tasks a day: row 150 is on 15 Nov; the second page ends on 20 Nov, more than a
    day later, so no task after it can be among the first 150."""
    fake.tasks = [task(T(n), "lead", f"2026-11-{n // 10 + 1:02d}") for n in range(0, 250)]
    everything = cli("inbox", "--ids", "--assignee", "all").stdout.splitlines()
    before = len(fake.task_requests())
    result = cli("inbox", "--ids", "--limit", "150", "--assignee", "all")
    assert result.stdout.splitlines() == everything[:150]
    assert [(p["_skip"], p["_limit"]) for p in fake.task_requests()[before:]] == [("0", "100"), ("100", "100")]


def test_limit_on_jsonl_is_closes_own(cli, fake):
    """JSONL streams in Close's order, so its --limit is `_limit`: the first N Close sends."""
    fake.tasks = [task(T(n), "lead", "2026-11-28") for n in range(1, 251)]
    result = cli("inbox", "--jsonl", "--limit", "150")
    assert len(result.stdout.splitlines()) == 150
    assert [(p["_skip"], p["_limit"]) for p in fake.task_requests()] == [("0", "100"), ("100", "50")]


def test_concurrency_fetches_the_same_pages(cli, fake):
    fake.tasks = [task(T(n), "lead", "2026-11-28") for n in range(1, 251)]
    result = cli("inbox", "--ids", "--concurrency", "4")
    assert result.stdout.splitlines() == [T(n) for n in range(1, 251)]
    skips = sorted(int(p["_skip"]) for p in fake.task_requests())
    assert skips[:3] == [0, 99, 199]  # from one bound, each page overlapping the one before by a row


def test_jsonl_streams_each_page_before_asking_for_the_next(cli, fake, monkeypatch):
    import sys

    fake.tasks = [task(T(n), "lead", "2026-11-28") for n in range(1, 151)]
    written_before = []
    handler = fake.handler

    def spy(request):
        if request.url.path.endswith("/task/"):
            written_before.append(sys.stdout.getvalue().count("\n"))
        return handler(request)

    monkeypatch.setattr(fake, "handler", spy)
    result = cli("inbox", "--jsonl")
    assert result.exit_code == 0
    assert written_before == [0, 100]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["inbox", "--type", "lead,voicemal"],
            "unknown task type 'voicemal' (did you mean voicemail?): use all or one or more of lead, incoming_email",
        ),
        (["inbox", "--from", "someday"], "--from: invalid day 'someday': use today, tomorrow, yesterday"),
        (["future", "--to", "fri 9am"], "--to: invalid day 'fri 9am' (a day without a time is needed here)"),
        (["inbox", "--created-from", "2026-02-30"], "--created-from: invalid day '2026-02-30' (no such day)"),
        (
            ["inbox", "--from", "+3d", "--to", "today"],
            "no day is both on or after 2026-12-01 and on or before 2026-11-28: nothing can match",
        ),
        (
            ["archive", "--after", "today", "--to", "today"],
            "no day is both after 2026-11-28 and on or before 2026-11-28",
        ),
        (
            ["inbox", "--created-from", "mon", "--created-after", "tue"],
            "--created-from and --created-after (its old spelling) disagree",
        ),
        (["inbox", "--order", "sideways"], "invalid order 'sideways': use date, -date, created or -created"),
        (["inbox", "--json", "--ids"], "--json and --ids cannot be combined"),
        (["inbox", "--json", "--jsonl", "--ids"], "--json and --jsonl and --ids cannot be combined"),
        (["inbox", "--fields", "id"], "--fields trims JSON output: use it with --json or --jsonl"),
        (["inbox", "--json", "--fields", "id,bad-name"], "invalid field name 'bad-name'"),
        (["inbox", "--lead", "acme"], "invalid lead 'acme'"),
        (["inbox", "--assignee", "nobody"], "invalid user 'nobody'"),
        (["inbox", "--limit", "0"], "Invalid value for '--limit'"),
    ],
)
def test_bad_input_exits_2_and_sends_nothing(cli, fake, args, message):
    result = cli(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert fake.task_requests() == []


def test_help_documents_the_tsv_columns_and_has_an_example(cli):
    for view in ("inbox", "future", "archive"):
        result = cli(view, "--help")
        assert result.exit_code == 0
        text = " ".join(result.stdout.split())
        assert "columns: row, id, date, local_date, local_time, type, lead_id, lead_name, about, assignee" in text
        assert f"Example: closetask {view}" in text
