"""Grouping by the user's local day: headings, order, and rows that move with the offset."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ordering_oracle import task_instant

from closetask.core.grouping import DayGroup, day_label, group_by_day, local_time_label
from closetask.core.ordering import is_date_only, task_local_date
from closetask.core.timezone import TimeZone

UTC = timezone.utc
TODAY = date(2026, 11, 28)  # a Saturday
ZONES = ["-8", "-2.5", "0", "5.5", "13", "America/Los_Angeles", "Asia/Kolkata"]


def task(id_: str, date_: Any, created: str = "2026-01-01T00:00:00+00:00") -> dict[str, Any]:
    return {"id": id_, "date": date_, "date_created": created, "_type": "lead"}


def layout(groups: list[DayGroup]) -> list[tuple[str, list[str]]]:
    return [(g.label, [t["id"] for t in g.tasks]) for g in groups]


# Every kind of row the inbox shows, plus one that changes day with the offset.
ROWS = [
    task("fri4", "2026-12-04"),
    task("sun_0900_at_-8", "2026-11-29T17:00:00+00:00"),
    task("overdue", "2026-11-26"),
    task("sun", "2026-11-29"),
    task("utc_0300", "2026-11-29T03:00:00+00:00"),  # Sat 19:00 at -8, Sun 03:00 at 0
    task("sat", "2026-11-28"),
    task("sat_timed", "2026-11-28T20:00:00+00:00"),
    task("nodate", None),
    task("next_year", "2027-01-01"),
]


def test_group_inbox_at_minus_8() -> None:
    groups = group_by_day(ROWS, TimeZone.parse("-8"), today=TODAY)
    assert layout(groups) == [
        ("Overdue \u00b7 Thu 26 Nov", ["overdue"]),
        ("Today \u00b7 Sat 28 Nov", ["sat", "sat_timed", "utc_0300"]),  # 12:00, 19:00
        ("Tomorrow \u00b7 Sun 29 Nov", ["sun", "sun_0900_at_-8"]),
        ("Fri 4 Dec", ["fri4"]),
        ("Fri 1 Jan 2027", ["next_year"]),
        ("No date", ["nodate"]),
    ]
    assert [g.day for g in groups] == [
        date(2026, 11, 26),
        TODAY,
        date(2026, 11, 29),
        date(2026, 12, 4),
        date(2027, 1, 1),
        None,
    ]


def test_group_inbox_at_utc_moves_the_0300_row_to_sunday() -> None:
    groups = group_by_day(ROWS, TimeZone.parse("0"), today=TODAY)
    assert layout(groups)[1:3] == [
        ("Today \u00b7 Sat 28 Nov", ["sat", "sat_timed"]),
        ("Tomorrow \u00b7 Sun 29 Nov", ["sun", "utc_0300", "sun_0900_at_-8"]),
    ]


@pytest.mark.parametrize(
    ("tz", "sunday"),
    [
        ("-8", ["sun", "sun_0900_at_-8"]),
        ("-2.5", ["sun", "utc_0300", "sun_0900_at_-8"]),  # 00:30 Sunday
        ("0", ["sun", "utc_0300", "sun_0900_at_-8"]),
        ("5.5", ["sun", "sat_timed", "utc_0300", "sun_0900_at_-8"]),  # 01:30, 08:30, 22:30
        ("13", ["sun", "sat_timed", "utc_0300"]),  # 09:00, 16:00; 17:00Z is Mon 06:00
        ("America/Los_Angeles", ["sun", "sun_0900_at_-8"]),
        ("Asia/Kolkata", ["sun", "sat_timed", "utc_0300", "sun_0900_at_-8"]),  # Sun 01:30
    ],
)
def test_group_rows_change_day_with_offset(tz: str, sunday: list[str]) -> None:
    groups = group_by_day(ROWS, TimeZone.parse(tz), today=TODAY)
    by_day = {g.day: [t["id"] for t in g.tasks] for g in groups}
    assert by_day[date(2026, 11, 29)] == sunday


def test_group_archive_is_newest_first_with_yesterday() -> None:
    rows = [
        task("thu", "2026-11-26"),
        task("fri_timed", "2026-11-27T18:00:00+00:00"),
        task("fri", "2026-11-27"),
        task("sat", "2026-11-28"),
        task("last_year", "2025-12-31"),
        task("sun", "2026-11-29"),
        task("nodate", "???"),
    ]
    groups = group_by_day(rows, TimeZone.parse("-8"), today=TODAY, view="archive")
    assert layout(groups) == [
        ("Tomorrow \u00b7 Sun 29 Nov", ["sun"]),
        ("Today \u00b7 Sat 28 Nov", ["sat"]),
        ("Yesterday \u00b7 Fri 27 Nov", ["fri", "fri_timed"]),  # date-only still first
        ("Thu 26 Nov", ["thu"]),  # done, so not "Overdue"
        ("Wed 31 Dec 2025", ["last_year"]),
        ("No date", ["nodate"]),
    ]


def test_group_future_view_labels_like_inbox() -> None:
    groups = group_by_day(
        [task("a", "2026-11-29"), task("b", "2026-11-27")], TimeZone.parse("0"), today=TODAY, view="future"
    )
    assert [g.label for g in groups] == ["Overdue \u00b7 Fri 27 Nov", "Tomorrow \u00b7 Sun 29 Nov"]


def test_group_empty_and_unknown_view() -> None:
    assert group_by_day([], TimeZone.parse("0"), today=TODAY) == []
    with pytest.raises(ValueError, match="unknown view"):
        group_by_day([], TimeZone.parse("0"), today=TODAY, view="outbox")


@pytest.mark.parametrize(
    ("day", "view", "label"),
    [
        (date(2026, 11, 26), "inbox", "Overdue \u00b7 Thu 26 Nov"),
        (date(2026, 11, 27), "inbox", "Overdue \u00b7 Fri 27 Nov"),
        (date(2026, 11, 27), "archive", "Yesterday \u00b7 Fri 27 Nov"),
        (date(2026, 11, 26), "archive", "Thu 26 Nov"),
        (date(2026, 11, 28), "inbox", "Today \u00b7 Sat 28 Nov"),
        (date(2026, 11, 28), "archive", "Today \u00b7 Sat 28 Nov"),
        (date(2026, 11, 29), "future", "Tomorrow \u00b7 Sun 29 Nov"),
        (date(2026, 12, 4), "inbox", "Fri 4 Dec"),
        (date(2027, 12, 3), "future", "Fri 3 Dec 2027"),
        (date(2025, 11, 27), "inbox", "Overdue \u00b7 Thu 27 Nov 2025"),
    ],
)
def test_day_label(day: date, view: str, label: str) -> None:
    assert day_label(day, today=TODAY, view=view) == label


def test_day_label_crossing_new_year() -> None:
    today = date(2026, 12, 31)
    assert day_label(date(2027, 1, 1), today=today) == "Tomorrow \u00b7 Fri 1 Jan 2027"
    assert day_label(date(2027, 1, 4), today=today) == "Mon 4 Jan 2027"


def test_day_label_ignores_the_locale(monkeypatch) -> None:
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert day_label(date(2026, 12, 4), today=TODAY) == "Fri 4 Dec"


@pytest.mark.parametrize(
    ("tz", "label"),
    [
        ("-8", "19:00"),
        ("-2.5", "00:30"),
        ("0", "03:00"),
        ("5.5", "08:30"),
        ("13", "16:00"),
        ("America/Los_Angeles", "19:00"),
        ("Asia/Kolkata", "08:30"),
    ],
)
def test_local_time_label(tz: str, label: str) -> None:
    zone = TimeZone.parse(tz)
    assert local_time_label(task("a", "2026-11-29T03:00:00+00:00"), zone) == label
    assert local_time_label(task("b", "2026-11-29"), zone) == ""
    assert local_time_label(task("c", None), zone) == ""
    assert local_time_label({"id": "d"}, zone) == ""


def test_local_time_label_follows_daylight_saving() -> None:
    la = TimeZone.parse("America/Los_Angeles")
    assert local_time_label(task("w", "2026-01-15T17:00:00+00:00"), la) == "09:00"
    assert local_time_label(task("s", "2026-07-15T17:00:00+00:00"), la) == "10:00"


# --- properties ---------------------------------------------------------------------------

zones = st.sampled_from(ZONES).map(TimeZone.parse)
views = st.sampled_from(["inbox", "future", "archive"])
instants = st.datetimes(
    min_value=datetime(2026, 11, 20),
    max_value=datetime(2026, 12, 10),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-8))]),
)
day_strings = st.dates(min_value=date(2026, 11, 20), max_value=date(2027, 1, 10)).map(date.isoformat)
date_values = st.one_of(
    day_strings, instants.map(lambda dt: dt.isoformat()), st.sampled_from([None, "", "tomorrow", 0])
)


@st.composite
def task_lists(draw, values=date_values):
    dates = draw(st.lists(values, max_size=30))
    return [task(f"task_{i:03d}", d) for i, d in enumerate(dates)]


@given(task_lists(), zones, views)
def test_group_every_task_in_exactly_one_group(rows, tz: TimeZone, view: str) -> None:
    groups = group_by_day(rows, tz, today=TODAY, view=view)
    seen = [t["id"] for g in groups for t in g.tasks]
    assert sorted(seen) == sorted(t["id"] for t in rows)
    assert all(g.tasks for g in groups)  # no empty headings
    for g in groups:
        for t in g.tasks:
            assert task_local_date(t, tz) == g.day


@given(task_lists(), zones, views)
def test_group_days_strictly_ordered_and_no_date_last(rows, tz: TimeZone, view: str) -> None:
    groups = group_by_day(rows, tz, today=TODAY, view=view)
    days = [g.day for g in groups if g.day is not None]
    expected = sorted(days, reverse=view == "archive")
    assert days == expected
    assert len(set(days)) == len(days)
    assert all(g.day is not None for g in groups[: len(days)])
    assert [g.label for g in groups[len(days) :]] in ([], ["No date"])


@given(task_lists(), zones, views)
def test_group_date_only_first_then_by_time(rows, tz: TimeZone, view: str) -> None:
    for g in group_by_day(rows, tz, today=TODAY, view=view):
        if g.day is None:
            continue
        flags = [is_date_only(t) for t in g.tasks]
        assert flags == sorted(flags, reverse=True)  # all True before any False
        timed = [task_instant(t, tz) for t in g.tasks if not is_date_only(t)]
        assert timed == sorted(timed)


@given(task_lists(day_strings), zones, zones, views)
def test_group_date_only_tasks_group_the_same_at_every_offset(rows, a: TimeZone, b: TimeZone, view: str) -> None:
    assert layout(group_by_day(rows, a, today=TODAY, view=view)) == layout(
        group_by_day(rows, b, today=TODAY, view=view)
    )


@given(task_lists(), zones, st.randoms())
def test_group_ignores_input_order(rows, tz: TimeZone, rnd) -> None:
    copy = list(rows)
    rnd.shuffle(copy)
    assert layout(group_by_day(copy, tz, today=TODAY)) == layout(group_by_day(rows, tz, today=TODAY))
