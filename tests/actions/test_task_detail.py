"""`closetask show`'s layout: every field, by type, in the user's time zone; odd objects survive."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closetask.core.timezone import TimeZone
from closetask.render.task_detail import detail_lines, labels_summary, task_label, when_text

from fake_close import make_task

PST = TimeZone.parse("-8")


def test_a_lead_task_laid_out():
    task = make_task(1, text="Call about the renewal", date="2026-11-28T17:30:00+00:00", priority="high", is_new=True)
    assert detail_lines(task, PST) == [
        "Call about the renewal",
        "",
        "ID           task_T0001abcdefghijklmnop",
        "Type         lead",
        "Text         Call about the renewal",
        "Lead         Acme Corp (lead_Acme0123456789abcdefghijk)",
        "In Close     https://app.close.com/lead/lead_Acme0123456789abcdefghijk/",
        "Date         Sat 28 Nov 2026 09:30 (-08:00)",
        "Status       open (inbox)",
        "Assigned to  Rita Rep (user_RitaRep0123456789abcdefghij)",
        "",
        "Created      2026-11-20 01:00 by Rita Rep (user_RitaRep0123456789abcdefghij)",
        "Updated      2026-11-20 01:00 by Rita Rep (user_RitaRep0123456789abcdefghij)",
        "Org          orga_1",
        "",
        "is_new       true",
        "priority     high",
    ]


def test_a_voicemail_shows_its_own_fields():
    task = make_task(
        2,
        _type="voicemail",
        text=None,
        object_type="call",
        object_id="acti_1",
        phone="+14155550100",
        phone_formatted="+1 415-555-0100",
        local_phone="+14155550199",
        voicemail_duration=75,
        voicemail_url="https://example.com/vm.mp3",
    )
    lines = detail_lines(task, PST)
    assert lines[0] == "+1 415-555-0100"
    assert "Phone        +1 415-555-0100" in lines
    assert "Duration     1:15" in lines
    assert "Voicemail    https://example.com/vm.mp3" in lines
    assert "Object       call (acti_1)" in lines
    assert not any(line.startswith("Text") for line in lines)


@pytest.mark.parametrize("seconds, shown", [(3725, "1:02:05"), ("42", "0:42"), (59.6, "1:00")])
def test_show_gives_a_voicemail_duration_as_the_table_does(seconds, shown):
    """`show` and the table's about column agree (show printed 62:05 for 3725 s)."""
    from closetask.render.summary import duration

    task = make_task(2, _type="voicemail", text=None, voicemail_duration=seconds)
    assert f"Duration     {shown}" in detail_lines(task, PST)
    assert duration(seconds) == shown


def test_an_email_followup_and_an_opportunity():
    email = make_task(
        3, _type="email_followup", text=None, subject="Proposal", body_preview="Hi,\nany news?", email_id="acti_2"
    )
    lines = detail_lines(email, TimeZone.parse("UTC"))
    assert lines[0] == "Proposal"
    assert "Preview      Hi, any news?" in lines
    opp = make_task(4, _type="opportunity_due", text=None, opportunity_value_formatted="$1,200", opportunity_note="Q4")
    assert "Value        $1,200" in detail_lines(opp, PST)


def test_date_only_stays_a_day_at_every_offset():
    for tz in ("-8", "-2.5", "0", "5.5", "13"):
        assert when_text("2026-11-28", TimeZone.parse(tz)) == "Sat 28 Nov 2026 (no time)"
    assert when_text("2026-11-28T07:00:00+00:00", PST) == "Fri 27 Nov 2026 23:00 (-08:00)"
    assert when_text("2026-11-28T07:00:00+00:00", TimeZone.parse("5.5")) == "Sat 28 Nov 2026 12:30 (+05:30)"
    assert when_text(None, PST) == "-"
    assert when_text("garbage", PST) == "garbage"


def test_labels():
    tasks = [make_task(n, text=f"Task {n}") for n in range(1, 6)]
    assert task_label(tasks[0]) == "Task 1 (Acme Corp)"
    assert labels_summary(tasks) == "Task 1 (Acme Corp), Task 2 (Acme Corp), Task 3 (Acme Corp) and 2 more"
    assert task_label({"id": "task_x", "_type": "missed_call"}) == "missed call"
    assert task_label({"text": "x" * 100, "lead_name": None}).endswith("…")


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "id",
        "_type",
        "text",
        "subject",
        "lead_name",
        "lead_id",
        "date",
        "is_complete",
        "view",
        "assigned_to",
        "assigned_to_name",
        "date_created",
        "voicemail_duration",
        "phone_formatted",
        "emails",
        "weird",
        "is_dateless",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=12), st.sampled_from(["-8", "0", "5.5", "13"]))
def test_odd_task_objects_render_without_crashing(task, tz):
    lines = detail_lines(task, TimeZone.parse(tz))
    assert lines and all(isinstance(line, str) for line in lines)
    assert isinstance(task_label(task), str)


@pytest.mark.parametrize(
    "kind",
    [
        "incoming_email",
        "email_followup",
        "missed_call",
        "answered_detached_call",
        "voicemail",
        "opportunity_due",
        "incoming_sms",
        "outgoing_call",
        "brand_new_type",
    ],
)
def test_every_type_renders(kind):
    lines = detail_lines(make_task(5, _type=kind), PST)
    assert f"Type         {kind}" in lines
