"""Units the views are built from: TaskQuery.params, the option parsers, the per-type summary,
and the progress indicator's on/off rules."""

from __future__ import annotations

import io
from datetime import date

import pytest

from closetask.core.query import TaskQuery, parse_fields, parse_order, parse_types
from closetask.core.timezone import TimeZone
from closetask.errors import UsageError
from closetask.render.summary import duration, money, summary

# --- TaskQuery --------------------------------------------------------------------------


def test_default_query_is_all_types():
    assert TaskQuery().params(TimeZone.utc()) == {"_type": "all", "view": "inbox"}


def test_query_for_bulk_style_selection():
    query = TaskQuery(
        view=None,
        types=("email_followup",),
        assignee="user_x",
        ids=("task_a", "task_b"),
        to_day=date(2026, 11, 13),  # bulk's `--before 2026-11-14`
        is_complete=False,
        fields=("id", "date", "assigned_to", "is_complete"),
        extra={"date_updated__lt": date(2026, 11, 1), "is_dateless": True, "skip": None},
    )
    assert query.params(TimeZone.parse("-8")) == {
        "id__in": "task_a,task_b",
        "_type": "email_followup",
        "assigned_to": "user_x",
        "is_complete": "false",
        "date__lt": "2026-11-14",
        "_fields": "id,date,assigned_to,is_complete",
        "date_updated__lt": "2026-11-01",
        "is_dateless": "true",
    }


def test_view_bounds_without_today_are_left_to_close():
    query = TaskQuery(view="inbox", to_day=date(2026, 11, 1))
    assert query.params(TimeZone.utc()) == {"_type": "all", "view": "inbox", "date__lt": "2026-11-02"}


def test_unknown_view_or_order_is_a_programming_error():
    with pytest.raises(ValueError):
        TaskQuery(view="today")
    with pytest.raises(ValueError):
        TaskQuery(order="created")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (None, None),
        ([], None),
        (["lead"], ("lead",)),
        (["missed_call, voicemail", "incoming_sms", "voicemail"], ("missed_call", "voicemail", "incoming_sms")),
        (["Email-Followup"], ("email_followup",)),
        (["lead", "all"], None),
        ([","], None),
    ],
)
def test_parse_types(values, expected):
    assert parse_types(values) == expected


def test_parse_types_lists_the_valid_names():
    with pytest.raises(UsageError) as err:
        parse_types(["calls"])
    assert err.value.message == (
        "unknown task type 'calls': use all or one or more of lead, incoming_email, email_followup, "
        "missed_call, answered_detached_call, voicemail, opportunity_due, incoming_sms, outgoing_call"
    )


def test_client_and_sandbox_know_the_same_nine_types():
    """The sandbox stands alone with its own list; both must be the seed page's eight and
    outgoing_call (Close's newer docs)."""
    from closetask.core.task_types import TASK_TYPES
    from closetask.sandbox.model import TASK_TYPES as SANDBOX_TYPES

    assert TASK_TYPES == SANDBOX_TYPES
    assert len(set(TASK_TYPES)) == 9
    assert TASK_TYPES[-1] == "outgoing_call"


def test_parse_order_and_fields():
    assert [parse_order(o) for o in ("date", "-date", "created", "-created")] == [
        "date",
        "-date",
        "date_created",
        "-date_created",
    ]
    assert parse_order(None, default="-date") == "-date"
    assert parse_fields(" id, date ,id") == ("id", "date")
    for bad in ("", ",", "id;drop", "a b"):
        with pytest.raises(UsageError):
            parse_fields(bad)


# --- summary ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "text"),
    [
        ({"_type": "lead", "text": "  Call\n back\t now "}, "Call back now"),
        ({"_type": "incoming_email", "subject": None, "body_preview": "preview only"}, "preview only"),
        ({"_type": "email_followup", "subject": "Re: demo"}, "Re: demo"),
        (
            {
                "_type": "missed_call",
                "phone": "+1415",
                "phone_formatted": "+1 415",
                "phone_number_description": "Mobile",
            },
            "+1 415 · Mobile",
        ),
        ({"_type": "answered_detached_call", "phone": "+1646"}, "+1646"),
        ({"_type": "voicemail", "phone_formatted": "+44 20", "voicemail_duration": 42}, "+44 20 · 0:42"),
        ({"_type": "voicemail", "voicemail_duration": 3725.4}, "1:02:05"),
        (
            {
                "_type": "opportunity_due",
                "opportunity_value": 1200000,
                "opportunity_value_currency": "USD",
                "opportunity_note": "Renewal",
            },
            "$12,000 · Renewal",
        ),
        ({"_type": "opportunity_due", "opportunity_value": 5050, "opportunity_value_currency": "CHF"}, "50.50 CHF"),
        ({"_type": "opportunity_due", "opportunity_value_formatted": "€9k"}, "€9k"),
        (
            {"_type": "opportunity_due", "opportunity_value_formatted": "$500", "opportunity_value_period": "one_time"},
            "$500",
        ),
        (
            {"_type": "opportunity_due", "opportunity_value_formatted": "$500", "opportunity_value_period": "monthly"},
            "$500 monthly",
        ),
        (
            {"_type": "opportunity_due", "opportunity_value": 120000, "opportunity_value_period": "annual"},
            "1,200 annual",
        ),
        ({"_type": "opportunity_due", "opportunity_value_period": "monthly"}, ""),
        ({"_type": "incoming_sms", "remote_phone": "+1212", "text": "On my way"}, "+1212 · On my way"),
        (
            {"_type": "outgoing_call", "phone": "+1415", "phone_formatted": "+1 415", "text": "Call back re: demo"},
            "+1 415 · Call back re: demo",
        ),
        ({"_type": "outgoing_call"}, ""),
        ({"_type": "something_new", "subject": "New"}, "New"),
        ({"_type": None}, ""),
        ({}, ""),
        ("not a dict", ""),
    ],
)
def test_summary_by_type(task, text):
    assert summary(task) == text


@pytest.mark.parametrize("value", [None, True, "abc", -1, float("nan"), float("inf"), [1], {"s": 1}])
def test_odd_durations_show_nothing(value):
    assert duration(value) == ""


def test_money_tolerates_garbage():
    assert money({"opportunity_value": "1000"}) == ""
    assert money({"opportunity_value": True}) == ""
    assert money({"opportunity_value": -250, "opportunity_value_currency": "usd"}) == "-$2.50"


# --- progress ---------------------------------------------------------------------------


def _run_progress(pages, page_size, limit=None):
    from rich.console import Console

    from closetask.render.progress import with_progress

    sink = io.StringIO()
    console = Console(file=sink, force_terminal=True, width=60)
    seen = list(with_progress(iter(pages), console, page_size=page_size, limit=limit))
    return seen, sink.getvalue()


def test_progress_shows_once_more_pages_are_coming():
    seen, written = _run_progress([[1, 2], [3, 4], [5]], page_size=2)
    assert seen == [[1, 2], [3, 4], [5]]
    assert "Fetching tasks" in written


def test_no_progress_for_a_single_page_or_a_reached_limit():
    assert _run_progress([[1]], page_size=2)[1] == ""
    assert _run_progress([[1, 2]], page_size=2, limit=2)[1] == ""


def test_no_progress_without_a_console():
    from closetask.render.progress import with_progress

    assert list(with_progress(iter([[1, 2], [3]]), None, page_size=2)) == [[1, 2], [3]]


def test_progress_never_captures_stdout(capsys):
    from rich.console import Console

    from closetask.render.progress import with_progress

    console = Console(file=io.StringIO(), force_terminal=True)
    for page in with_progress(iter([[1, 2], [3, 4]]), console, page_size=2):
        print(page)
    assert capsys.readouterr().out == "[1, 2]\n[3, 4]\n"
