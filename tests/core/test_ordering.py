"""Close's task order on the client: by local day, date-only first, then by instant."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ordering_oracle import task_instant

from closetask.core.ordering import (
    is_date_only,
    parse_task_date,
    sort_key,
    sort_tasks,
    task_local_date,
)
from closetask.core.timezone import TimeZone

UTC = timezone.utc
ZONES = ["-8", "-2.5", "0", "5.5", "13", "America/Los_Angeles", "Asia/Kolkata"]


def task(id_: str, date_: Any = None, created: Any = "2026-01-01T00:00:00+00:00", **extra: Any):
    return {"id": id_, "date": date_, "date_created": created, **extra}


def ids(tasks) -> list[str]:
    return [t["id"] for t in tasks]


def shuffled(tasks: list, seed: int) -> list:
    copy = list(tasks)
    random.Random(seed).shuffle(copy)
    return copy


# --- the seed page's example, exactly -----------------------------------------------------

SEED_ROWS = [
    task("before", "2015-01-12T07:00:00+00:00"),  # 23:00 on the 11th at -8
    task("dateonly", "2015-01-12"),
    task("after", "2015-01-12T08:00:00+00:00"),  # midnight on the 12th at -8
]


@pytest.mark.parametrize("seed", range(6))
def test_order_seed_example_at_minus_8(seed: int) -> None:
    tz = TimeZone.parse("-8")
    assert ids(sort_tasks(shuffled(SEED_ROWS, seed), tz)) == ["before", "dateonly", "after"]


def test_order_seed_example_in_los_angeles_winter() -> None:
    tz = TimeZone.parse("America/Los_Angeles")  # January: PST, -8
    assert ids(sort_tasks(SEED_ROWS[::-1], tz)) == ["before", "dateonly", "after"]


def test_order_seed_example_shifts_an_hour_in_los_angeles_summer() -> None:
    tz = TimeZone.parse("America/Los_Angeles")  # July: PDT, -7
    rows = [
        task("t0600", "2015-07-12T06:00:00+00:00"),  # 23:00 on the 11th
        task("t0700", "2015-07-12T07:00:00+00:00"),  # 00:00 on the 12th
        task("dateonly", "2015-07-12"),
    ]
    assert ids(sort_tasks(rows, tz)) == ["t0600", "dateonly", "t0700"]
    # The same rows at a fixed -8 (no daylight saving): 07:00Z is still the 11th.
    assert ids(sort_tasks(rows, TimeZone.parse("-8"))) == ["t0600", "t0700", "dateonly"]


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("0", ["dateonly", "before", "after"]),  # both timed rows are on the 12th
        ("5.5", ["dateonly", "before", "after"]),
        ("13", ["dateonly", "before", "after"]),
        ("-2.5", ["dateonly", "before", "after"]),  # 04:30 and 05:30 on the 12th
        ("Asia/Kolkata", ["dateonly", "before", "after"]),
        ("-10", ["before", "after", "dateonly"]),  # 21:00 and 22:00 on the 11th
    ],
)
def test_order_seed_rows_at_other_offsets(tz: str, expected: list[str]) -> None:
    assert ids(sort_tasks(SEED_ROWS, TimeZone.parse(tz))) == expected


def test_order_east_of_utc_previous_evening_utc_is_next_local_day() -> None:
    tz = TimeZone.parse("5.5")
    rows = [
        task("t1829", "2015-01-11T18:29:00+00:00"),  # 23:59 on the 11th
        task("t1830", "2015-01-11T18:30:00+00:00"),  # 00:00 on the 12th
        task("d12", "2015-01-12"),
        task("d11", "2015-01-11"),
    ]
    assert ids(sort_tasks(rows, tz)) == ["d11", "t1829", "d12", "t1830"]


# --- helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-01-05", True),
        ("2015-01-10T05:00:00+00:00", False),
        ("2015-01-10T05:00:00Z", False),
        (None, False),
        ("", False),
        ("garbage", False),
        ("2015-13-45", False),
        (20150105, False),
        (["2015-01-05"], False),
        ("\u0662\u0660\u0661\u0665-01-05", False),
    ],
)
def test_is_date_only(value: Any, expected: bool) -> None:
    assert is_date_only({"date": value}) is expected


def test_is_date_only_without_date_field() -> None:
    assert is_date_only({}) is False


def test_parse_task_date_naive_datetime_is_utc() -> None:
    assert parse_task_date("2015-01-10T05:00:00") == datetime(2015, 1, 10, 5, tzinfo=UTC)


def test_parse_task_date_rejects_non_iso_shapes() -> None:
    assert parse_task_date("20150110T050000") is None
    assert parse_task_date("Jan 10 2015") is None
    assert parse_task_date("9999-12-31T23:00:00-05:00") is None  # beyond what UTC can hold


@pytest.mark.parametrize(
    ("tz", "utc_midnight"),
    [
        ("-8", datetime(2015, 1, 12, 8, tzinfo=UTC)),
        ("-2.5", datetime(2015, 1, 12, 2, 30, tzinfo=UTC)),
        ("0", datetime(2015, 1, 12, 0, tzinfo=UTC)),
        ("5.5", datetime(2015, 1, 11, 18, 30, tzinfo=UTC)),
        ("13", datetime(2015, 1, 11, 11, tzinfo=UTC)),
        ("America/Los_Angeles", datetime(2015, 1, 12, 8, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2015, 1, 11, 18, 30, tzinfo=UTC)),
    ],
)
def test_task_instant_of_date_only_is_local_midnight(tz: str, utc_midnight: datetime) -> None:
    assert task_instant(task("a", "2015-01-12"), TimeZone.parse(tz)) == utc_midnight


def test_task_instant_of_date_only_in_los_angeles_summer() -> None:
    tz = TimeZone.parse("America/Los_Angeles")
    assert task_instant(task("a", "2015-07-12"), tz) == datetime(2015, 7, 12, 7, tzinfo=UTC)


def test_task_instant_of_timed_task_is_its_instant() -> None:
    instant = task_instant(task("a", "2015-01-12T07:00:00+00:00"), TimeZone.parse("-8"))
    assert instant == datetime(2015, 1, 12, 7, tzinfo=UTC)
    assert task_instant(task("a", None), TimeZone.parse("-8")) is None


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        ("-8", date(2026, 11, 28)),
        ("-2.5", date(2026, 11, 29)),  # 00:30
        ("0", date(2026, 11, 29)),
        ("5.5", date(2026, 11, 29)),
        ("13", date(2026, 11, 29)),
        ("America/Los_Angeles", date(2026, 11, 28)),
        ("Asia/Kolkata", date(2026, 11, 29)),
    ],
)
def test_task_local_date_changes_with_offset(tz: str, day: date) -> None:
    zone = TimeZone.parse(tz)
    assert task_local_date(task("a", "2026-11-29T03:00:00+00:00"), zone) == day
    # A date-only task is on its date everywhere.
    assert task_local_date(task("b", "2026-11-29"), zone) == date(2026, 11, 29)


def test_task_local_date_late_utc_evening() -> None:
    row = task("a", "2026-11-28T23:00:00+00:00")
    assert task_local_date(row, TimeZone.parse("5.5")) == date(2026, 11, 29)  # 04:30
    assert task_local_date(row, TimeZone.parse("-2.5")) == date(2026, 11, 28)  # 20:30
    assert task_local_date(row, TimeZone.parse("13")) == date(2026, 11, 29)  # 12:00


# --- robustness and tie-breaks --------------------------------------------------------------


def test_order_odd_tasks_go_last_and_never_crash() -> None:
    rows = [
        {"id": "no-date-field"},
        task("null", None),
        task("garbage", "soon"),
        task("number", 12),
        task("bad-day", "2015-02-30"),
        {"date": "2015-01-12"},  # no id
        {"id": 7, "date": "2015-01-12", "date_created": None},  # int id
        task("good", "2015-01-11"),
        task("timed", "2015-01-11T10:00:00Z", created=["nonsense"]),  # the 11th from -8 to +13
    ]
    for zone in ZONES:
        result = sort_tasks(shuffled(rows, 1), TimeZone.parse(zone))
        assert len(result) == len(rows)
        assert [r.get("id") for r in result[:4]] == ["good", "timed", 7, None]
        assert {r.get("id") for r in result[4:]} == {"no-date-field", "null", "garbage", "number", "bad-day"}


def test_order_ties_break_by_date_created_then_id() -> None:
    rows = [
        task("c", "2015-01-12", created="2015-01-02T00:00:00+00:00"),
        task("b", "2015-01-12", created="2015-01-01T00:00:00+00:00"),
        task("a", "2015-01-12", created="2015-01-02T00:00:00+00:00"),
        task("z", "2015-01-12", created=None),
        task("t2", "2015-01-12T12:00:00Z", created="2015-01-02T00:00:00+00:00"),
        task("t1", "2015-01-12T12:00:00Z", created="2015-01-01T00:00:00+00:00"),
    ]
    assert ids(sort_tasks(rows, TimeZone.parse("0"))) == ["b", "a", "c", "z", "t1", "t2"]


def test_order_descending_keeps_each_day_in_agenda_order() -> None:
    tz = TimeZone.parse("-8")
    rows = [
        task("d11", "2015-01-11"),
        task("d12", "2015-01-12"),
        task("t12_09", "2015-01-12T17:00:00Z"),  # 09:00 on the 12th
        task("t12_18", "2015-01-13T02:00:00Z"),  # 18:00 on the 12th
        task("t11_23", "2015-01-12T07:00:00Z"),  # 23:00 on the 11th
        task("nodate", None),
    ]
    assert ids(sort_tasks(rows, tz, descending=True)) == ["d12", "t12_09", "t12_18", "d11", "t11_23", "nodate"]
    assert ids(sort_tasks(rows, tz)) == ["d11", "t11_23", "d12", "t12_09", "t12_18", "nodate"]


def test_order_by_date_created() -> None:
    rows = [
        task("mid", "2015-01-01", created="2015-01-02T00:00:00+00:00"),
        task("old", "2015-01-09", created="2015-01-01T00:00:00+00:00"),
        task("none", "2015-01-05", created=None),
        task("new", "2014-01-01", created="2015-01-03T00:00:00-08:00"),
    ]
    tz = TimeZone.parse("0")
    assert ids(sort_tasks(rows, tz, by="date_created")) == ["old", "mid", "new", "none"]
    assert ids(sort_tasks(rows, tz, by="date_created", descending=True)) == ["new", "mid", "old", "none"]


def test_order_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown sort field"):
        sort_tasks([], TimeZone.parse("0"), by="text")


def test_sort_tasks_does_not_mutate_or_copy_tasks() -> None:
    rows = [task("b", "2015-01-12"), task("a", "2015-01-11")]
    result = sort_tasks(rows, TimeZone.parse("0"))
    assert ids(rows) == ["b", "a"]
    assert result[0] is rows[1]


# --- properties ---------------------------------------------------------------------------

zones = st.sampled_from(ZONES).map(TimeZone.parse)
instants = st.datetimes(
    min_value=datetime(2014, 12, 1),
    max_value=datetime(2015, 2, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]),
)
date_values = st.one_of(
    st.dates(min_value=date(2014, 12, 25), max_value=date(2015, 1, 10)).map(date.isoformat),
    instants.map(lambda dt: dt.isoformat()),
    st.sampled_from([None, "", "garbage", 3]),
)


@st.composite
def task_lists(draw, values=date_values):
    dates = draw(st.lists(values, max_size=25))
    return [task(f"task_{i:03d}", d, created=f"2014-01-01T00:00:{i % 60:02d}+00:00") for i, d in enumerate(dates)]


@given(task_lists(), zones, st.randoms())
def test_order_is_independent_of_input_order(rows, tz: TimeZone, rnd) -> None:
    copy = list(rows)
    rnd.shuffle(copy)
    assert ids(sort_tasks(copy, tz)) == ids(sort_tasks(rows, tz))


@given(task_lists(), zones)
def test_order_invariants(rows, tz: TimeZone) -> None:
    result = sort_tasks(rows, tz)
    dated = [r for r in result if task_local_date(r, tz) is not None]
    assert result[: len(dated)] == dated  # undated last
    for a, b in zip(dated, dated[1:], strict=False):
        day_a, day_b = task_local_date(a, tz), task_local_date(b, tz)
        assert day_a <= day_b
        if day_a == day_b:
            assert not (is_date_only(b) and not is_date_only(a))  # date-only first
            if not is_date_only(a) and not is_date_only(b):
                assert task_instant(a, tz) <= task_instant(b, tz)
    keys = [sort_key(r, tz) for r in result]
    assert keys == sorted(keys)


@given(
    task_lists(st.dates(min_value=date(2014, 1, 1), max_value=date(2016, 1, 1)).map(date.isoformat)),
    st.lists(zones, min_size=2, max_size=2),
)
def test_order_of_date_only_tasks_is_the_same_at_every_offset(rows, two) -> None:
    assert ids(sort_tasks(rows, two[0])) == ids(sort_tasks(rows, two[1]))
    assert ids(sort_tasks(rows, two[0], descending=True)) == ids(sort_tasks(rows, two[1], descending=True))
