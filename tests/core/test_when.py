"""The WHEN grammar: days stay dates, days with a time become instants in the user's zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from closetask.core.timezone import TimeZone
from closetask.core.when import ACCEPTED_FORMS, DAY_FORMS, When, is_past_today, keep_time, parse_day, parse_when
from closetask.errors import UsageError

UTC = timezone.utc
# Saturday 28 Nov 2026, 10:00 UTC: still Saturday from -8 (02:00) to +13 (23:00).
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
SAT = date(2026, 11, 28)
ZONES = ["-8", "-2.5", "0", "5.5", "13", "America/Los_Angeles", "Asia/Kolkata"]


def when(text: str, tz: str = "0", now: datetime = NOW) -> When:
    return parse_when(text, now=now, tz=TimeZone.parse(tz))


def local(w: When, tz: str) -> datetime:
    assert isinstance(w.value, datetime)
    return w.value.astimezone(TimeZone.parse(tz).tzinfo)


# --- days ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", SAT),
        ("tomorrow", date(2026, 11, 29)),
        ("yesterday", date(2026, 11, 27)),
        ("fri", date(2026, 12, 4)),
        ("friday", date(2026, 12, 4)),
        ("sat", date(2026, 12, 5)),  # strictly after today: a week away on a Saturday
        ("sun", date(2026, 11, 29)),
        ("mon", date(2026, 11, 30)),
        ("Thursday", date(2026, 12, 3)),
        ("tues", date(2026, 12, 1)),
        ("+3d", date(2026, 12, 1)),
        ("3d", date(2026, 12, 1)),
        ("-2w", date(2026, 11, 14)),
        ("+1m", date(2026, 12, 28)),
        ("-1m", date(2026, 10, 28)),
        ("+0d", SAT),
        ("+2 weeks", date(2026, 12, 12)),
        ("2026-12-04", date(2026, 12, 4)),
        ("  TOMORROW ", date(2026, 11, 29)),
        ("FRI", date(2026, 12, 4)),
    ],
)
def test_when_day_forms_stay_date_only(text: str, expected: date, tz: str) -> None:
    w = when(text, tz)
    assert w.is_date_only
    assert w.value == expected
    assert w.to_api() == expected.isoformat()
    assert w.local_date(TimeZone.parse(tz)) == expected


@pytest.mark.parametrize(
    ("tz", "today"),
    [
        ("-8", date(2026, 11, 28)),  # 19:00 on Saturday
        ("-2.5", date(2026, 11, 29)),  # 00:30 on Sunday
        ("0", date(2026, 11, 29)),
        ("5.5", date(2026, 11, 29)),
        ("13", date(2026, 11, 29)),
        ("America/Los_Angeles", date(2026, 11, 28)),
        ("Asia/Kolkata", date(2026, 11, 29)),
    ],
)
def test_when_today_is_the_users_day_not_utcs(tz: str, today: date) -> None:
    now = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert when("today", tz, now).value == today
    assert when("tomorrow", tz, now).value == today + timedelta(days=1)
    # "now" given in another zone changes nothing: it is an instant.
    elsewhere = now.astimezone(timezone(timedelta(hours=-11)))
    assert when("today", tz, elsewhere).value == today


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2027, 1, 31), "+1m", date(2027, 2, 28)),
        (date(2028, 1, 31), "+1m", date(2028, 2, 29)),
        (date(2026, 3, 31), "-1m", date(2026, 2, 28)),
        (date(2026, 12, 15), "+1m", date(2027, 1, 15)),
        (date(2026, 1, 15), "-1m", date(2025, 12, 15)),
        (date(2026, 8, 31), "+13m", date(2027, 9, 30)),
    ],
)
def test_when_months_are_calendar_months_clamped(today: date, text: str, expected: date) -> None:
    now = datetime.combine(today, time(12), tzinfo=UTC)
    assert when(text, "0", now).value == expected


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
)
def test_when_weekday_is_the_next_one_strictly_after_today(today: date, name: str) -> None:
    now = datetime.combine(today, time(12), tzinfo=UTC)
    day = when(name, "0", now).value
    assert isinstance(day, date)
    assert 1 <= (day - today).days <= 7
    assert day.strftime("%a").lower() == name


# --- days with a time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wall"),
    [
        ("tomorrow 9am", datetime(2026, 11, 29, 9, 0)),
        ("tomorrow 9 AM", datetime(2026, 11, 29, 9, 0)),
        ("tomorrow at 9am", datetime(2026, 11, 29, 9, 0)),
        ("tomorrow 9:15 p.m.", datetime(2026, 11, 29, 21, 15)),
        ("fri 14:30", datetime(2026, 12, 4, 14, 30)),
        ("today 5:30pm", datetime(2026, 11, 28, 17, 30)),
        ("today 12am", datetime(2026, 11, 28, 0, 0)),
        ("today 12pm", datetime(2026, 11, 28, 12, 0)),
        ("today noon", datetime(2026, 11, 28, 12, 0)),
        ("+2d 08:00", datetime(2026, 11, 30, 8, 0)),
        ("2026-12-04 9am", datetime(2026, 12, 4, 9, 0)),
        ("2026-12-04 14:30", datetime(2026, 12, 4, 14, 30)),
        ("2026-12-04 14:30:15", datetime(2026, 12, 4, 14, 30, 15)),
        ("2026-12-04T09:00", datetime(2026, 12, 4, 9, 0)),
        ("2026-12-04t09:00:00", datetime(2026, 12, 4, 9, 0)),
        ("5pm", datetime(2026, 11, 28, 17, 0)),  # a time alone: today
    ],
)
@pytest.mark.parametrize("tz", ZONES)
def test_when_day_with_time_is_wall_clock_in_tz(text: str, wall: datetime, tz: str) -> None:
    w = when(text, tz)
    assert not w.is_date_only
    assert local(w, tz).replace(tzinfo=None) == wall
    assert w.local_date(TimeZone.parse(tz)) == wall.date()


@pytest.mark.parametrize(
    ("tz", "api"),
    [
        ("-8", "2026-11-29T17:00:00+00:00"),
        ("-2.5", "2026-11-29T11:30:00+00:00"),
        ("0", "2026-11-29T09:00:00+00:00"),
        ("5.5", "2026-11-29T03:30:00+00:00"),
        ("13", "2026-11-28T20:00:00+00:00"),
        ("America/Los_Angeles", "2026-11-29T17:00:00+00:00"),
        ("Asia/Kolkata", "2026-11-29T03:30:00+00:00"),
    ],
)
def test_when_to_api_is_utc_iso(tz: str, api: str) -> None:
    assert when("tomorrow 9am", tz).to_api() == api


def test_when_la_summer_uses_daylight_time() -> None:
    now = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
    assert when("tomorrow 9am", "America/Los_Angeles", now).to_api() == "2026-07-02T16:00:00+00:00"


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("text", "api"),
    [
        ("2026-12-04T09:00:00-08:00", "2026-12-04T17:00:00+00:00"),
        ("2026-12-04T09:00Z", "2026-12-04T09:00:00+00:00"),
        ("2026-12-04T09:00:00z", "2026-12-04T09:00:00+00:00"),
        ("2026-12-04T09:00+05:30", "2026-12-04T03:30:00+00:00"),
        ("2026-12-04T09:00+0530", "2026-12-04T03:30:00+00:00"),
        ("2026-12-04 09:00-02:30", "2026-12-04T11:30:00+00:00"),
        ("2026-12-04T09:00:00.250000+00:00", "2026-12-04T09:00:00.250000+00:00"),
    ],
)
def test_when_iso_with_offset_ignores_tz(text: str, api: str, tz: str) -> None:
    assert when(text, tz).to_api() == api


def test_when_datetime_local_date_depends_on_zone() -> None:
    w = when("2026-11-29T03:00:00+00:00")
    assert w.local_date(TimeZone.parse("-8")) == date(2026, 11, 28)
    assert w.local_date(TimeZone.parse("0")) == date(2026, 11, 29)
    assert w.local_date(TimeZone.parse("America/Los_Angeles")) == date(2026, 11, 28)
    assert w.local_date(TimeZone.parse("13")) == date(2026, 11, 29)


def test_when_dst_gap_moves_forward_by_the_gap() -> None:
    # 2026-03-08 02:30 does not exist in Los Angeles (02:00 PST -> 03:00 PDT).
    w = when("2026-03-08 02:30", "America/Los_Angeles")
    assert local(w, "America/Los_Angeles").replace(tzinfo=None) == datetime(2026, 3, 8, 3, 30)
    assert w.to_api() == "2026-03-08T10:30:00+00:00"


def test_when_dst_overlap_takes_the_first_occurrence() -> None:
    # 2026-11-01 01:30 happens twice in Los Angeles: PDT first, then PST.
    w = when("2026-11-01 1:30am", "America/Los_Angeles")
    assert w.to_api() == "2026-11-01T08:30:00+00:00"


def test_when_is_hashable_and_compares_by_value() -> None:
    assert when("fri") == When(date(2026, 12, 4))
    assert len({when("fri"), when("2026-12-04")}) == 1
    assert when("tomorrow 9am") == when("2026-11-29T09:00Z")


def test_when_refuses_naive() -> None:
    with pytest.raises(ValueError):
        When(datetime(2026, 1, 1, 9))
    with pytest.raises(ValueError):
        parse_when("today", now=datetime(2026, 1, 1), tz=TimeZone.parse("0"))


# --- errors -------------------------------------------------------------------------------


def test_when_error_message_matches_the_documented_one() -> None:
    with pytest.raises(UsageError) as excinfo:
        when("tomorow")
    assert str(excinfo.value) == (
        "invalid date 'tomorow': use today, tomorrow, fri, next week, +3d/-2w/+1m, 'in 3 days', dec 4, "
        "2026-12-04, +2h, eod, or a day with a time ('fri 9am'); all forms: closetask help dates"
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", ""),
        ("   ", ""),
        ("tomorrow 9", ""),  # a bare number is not a time
        ("-2h", ""),  # hours count forward only
        ("+2h 9am", ""),  # a time offset is already a time
        ("next", ""),
        ("next month", ""),
        ("in 3", ""),
        ("in -3 days", ""),
        ("feb 30", "(no such day)"),
        ("32 dec", "(no such day)"),
        ("smarch 4", ""),
        ("+5m 9", ""),
        ("2026-02-30", "(no such day)"),
        ("2026-13-01", "(no such day)"),
        ("2026-02-30 9am", "(no such day)"),
        ("25:00", "(no such time)"),
        ("13pm", "(no such time)"),
        ("0am", "(no such time)"),
        ("tomorrow 24:00", "(no such time)"),
        ("tomorrow 9:60", "(no such time)"),
        ("2026-12-04T25:00", "(no such day or time)"),
        ("2026-12-04T09:00+24:00", "(no such offset)"),
        ("+99999d", ""),
        ("9999-12-31T23:00-05:00", "(out of range)"),
        ("20261204", ""),
        ("2026-W49-5", ""),
        ("fri\nrm -rf /", ""),
        ("+\u0663d", ""),  # Arabic-Indic digit three: ASCII digits only
    ],
)
def test_when_rejects_with_usage_error(text: str, why: str) -> None:
    with pytest.raises(UsageError) as excinfo:
        when(text)
    message = str(excinfo.value)
    assert message.startswith(f"invalid date {text!r}"[:30])
    assert why in message
    assert message.endswith(ACCEPTED_FORMS)
    assert "\n" not in message


@pytest.mark.parametrize("text", ["+9999d", "+9999w", "+9999m", "+9999m 9am"])
def test_when_too_far_away_is_a_usage_error(text: str) -> None:
    late = datetime(9990, 1, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match=r"\(too far away\)"):
        when(text, "0", late)


def test_when_error_truncates_long_values() -> None:
    with pytest.raises(UsageError) as excinfo:
        when("x" * 500)
    assert len(str(excinfo.value)) < 300


def test_when_rejects_non_strings_as_usage_errors() -> None:
    with pytest.raises(UsageError):
        when(None)  # type: ignore[arg-type]


# --- parse_day ----------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ZONES)
def test_parse_day_returns_dates(tz: str) -> None:
    zone = TimeZone.parse(tz)
    assert parse_day("fri", now=NOW, tz=zone) == date(2026, 12, 4)
    assert parse_day("-1w", now=NOW, tz=zone) == date(2026, 11, 21)
    assert parse_day("2026-12-04", now=NOW, tz=zone) == date(2026, 12, 4)


@pytest.mark.parametrize("text", ["tomorrow 9am", "2026-12-04T09:00Z", "5pm", "2026-12-04 14:30"])
def test_parse_day_refuses_times(text: str) -> None:
    with pytest.raises(UsageError) as excinfo:
        parse_day(text, now=NOW, tz=TimeZone.parse("-8"))
    message = str(excinfo.value)
    assert message.startswith(f"invalid day {text!r} (a day without a time is needed here)")
    assert message.endswith(DAY_FORMS)


def test_parse_day_lists_day_forms_for_garbage() -> None:
    with pytest.raises(UsageError) as excinfo:
        parse_day("someday", now=NOW, tz=TimeZone.parse("0"))
    assert str(excinfo.value) == f"invalid day 'someday': use {DAY_FORMS}"


# --- properties ---------------------------------------------------------------------------

WORDS = [
    "today",
    "tomorrow",
    "yesterday",
    "fri",
    "monday",
    "+3d",
    "-2w",
    "+1m",
    "2026-12-04",
    "9am",
    "14:30",
    "at",
    "pm",
    "noon",
    "T",
    "Z",
    "+05:30",
    "-",
    ":",
    " ",
    "2026",
    "99",
]
zones = st.sampled_from(ZONES).map(TimeZone.parse)
nows = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(st.sampled_from(WORDS), max_size=5).map("".join),
        st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join),
    ),
    zones,
    nows,
)
def test_when_random_text_parses_or_raises_usage_error_only(text: str, tz: TimeZone, now: datetime) -> None:
    try:
        w = parse_when(text, now=now, tz=tz)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    # Whatever parses must be usable: an API value and a local day.
    assert isinstance(w.to_api(), str)
    assert isinstance(w.local_date(tz), date)


@given(
    st.one_of(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)).map(When),
        st.datetimes(
            min_value=datetime(1900, 1, 1),
            max_value=datetime(2200, 1, 1),
            timezones=st.sampled_from([UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]),
        ).map(lambda dt: When(dt.replace(microsecond=0))),
    ),
    zones,
)
def test_when_to_api_round_trips(w: When, tz: TimeZone) -> None:
    again = parse_when(w.to_api(), now=NOW, tz=tz)
    assert again == w
    assert again.is_date_only == w.is_date_only
    assert again.to_api() == w.to_api()


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from(["today", "tomorrow", "yesterday", "+5d", "-1w", "+2m", "ISO"]),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.sampled_from(["24h", "ampm", "iso-t"]),
    st.sampled_from(["-8", "-2.5", "0", "5.5", "13"]),
    st.booleans(),
)
def test_when_generated_day_and_time_forms(
    today: date, day_form: str, at: time, style: str, tz_text: str, shout: bool
) -> None:
    tz = TimeZone.parse(tz_text)
    now = datetime.combine(today, time(12), tzinfo=tz.tzinfo)
    expected_day = {
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "yesterday": today - timedelta(days=1),
        "+5d": today + timedelta(days=5),
        "-1w": today - timedelta(weeks=1),
        "ISO": date(2031, 7, 15),
    }.get(day_form)
    day_text = "2031-07-15" if day_form == "ISO" else day_form
    if style == "24h":
        text = f"{day_text} {at:%H:%M}"
    elif style == "ampm":
        text = f"{day_text} {(at.hour + 11) % 12 + 1}:{at.minute:02d}{'pm' if at.hour >= 12 else 'am'}"
    else:
        assume(day_form == "ISO")
        text = f"{day_text}T{at:%H:%M}"
    if shout:
        text = f"  {text.upper()} "
    w = parse_when(text, now=now, tz=tz)
    assert not w.is_date_only
    wall = w.value.astimezone(tz.tzinfo)  # type: ignore[union-attr]
    assert wall.time() == at
    if expected_day is not None:
        assert wall.date() == expected_day
    # The day alone is the same day, date-only.
    assert parse_when(day_text, now=now, tz=tz) == When(wall.date())


# --- the forms people type (issue 16) -----------------------------------------------------


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next fri", date(2026, 12, 4)),  # = fri: the first Friday after today
        ("next friday", date(2026, 12, 4)),
        ("next sat", date(2026, 12, 5)),  # on a Saturday, a week away, like "sat"
        ("next week", date(2026, 11, 30)),  # Monday of next week
        ("in 3 days", date(2026, 12, 1)),
        ("in 1 day", date(2026, 11, 29)),
        ("in 2 weeks", date(2026, 12, 12)),
        ("in 1 month", date(2026, 12, 28)),
        ("dec 4", date(2026, 12, 4)),
        ("4 dec", date(2026, 12, 4)),
        ("December 4", date(2026, 12, 4)),
        ("4th december", date(2026, 12, 4)),
        ("nov 28", SAT),  # today included
        ("nov 27", date(2027, 11, 27)),  # passed this year: next year's
        ("jan 1", date(2027, 1, 1)),
        ("feb 29", date(2028, 2, 29)),  # the next one that exists
        ("sept 9", date(2027, 9, 9)),
    ],
)
def test_when_new_day_forms_stay_date_only(text: str, expected: date, tz: str) -> None:
    w = when(text, tz)
    assert w.is_date_only
    assert w.value == expected
    assert parse_day(text, now=NOW, tz=TimeZone.parse(tz)) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), zones)
def test_when_next_week_is_the_monday_after_this_week(today: date, tz: TimeZone) -> None:
    now = datetime.combine(today, time(12), tzinfo=tz.tzinfo)
    monday = parse_day("next week", now=now, tz=tz)
    assert monday.weekday() == 0
    assert 1 <= (monday - today).days <= 7


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 12), st.integers(1, 31), zones)
def test_when_month_day_is_the_next_one_today_included(today: date, month: int, day: int, tz: TimeZone) -> None:
    now = datetime.combine(today, time(12), tzinfo=tz.tzinfo)
    name = date(2000, month, 1).strftime("%b").lower()
    try:
        found = parse_day(f"{name} {day}", now=now, tz=tz)
    except UsageError:
        assume(False)
    assert (found.month, found.day) == (month, day)
    assert found >= today
    assert parse_day(f"{day} {name}", now=now, tz=tz) == found
    # No earlier one in between: the same day a year before is already past.
    assert found.year == today.year or date(today.year, month, min(day, 28)) < today or day == 29


@pytest.mark.parametrize(
    ("tz", "text", "wall"),
    [
        # 10:01:07 UTC plus the offset, rounded up to 5 minutes on the local clock
        ("0", "+2h", datetime(2026, 11, 28, 12, 5)),
        ("-8", "+2h", datetime(2026, 11, 28, 4, 5)),
        ("-2.5", "+30min", datetime(2026, 11, 28, 8, 5)),
        ("5.5", "in 2 hours", datetime(2026, 11, 28, 17, 35)),
        ("5.75", "+90 minutes", datetime(2026, 11, 28, 17, 20)),
        ("America/Los_Angeles", "+1h", datetime(2026, 11, 28, 3, 5)),
        ("13", "+15 mins", datetime(2026, 11, 28, 23, 20)),
    ],
)
def test_when_hours_and_minutes_are_now_plus_rounded_up(tz: str, text: str, wall: datetime) -> None:
    now = datetime(2026, 11, 28, 10, 1, 7, tzinfo=UTC)
    w = when(text, tz, now)
    assert not w.is_date_only
    assert local(w, tz).replace(tzinfo=None) == wall


@given(nows, zones, st.integers(0, 600), st.sampled_from(["+{}min", "in {} minutes", "+{}h"]))
def test_when_soon_is_never_before_and_within_five_minutes_after(
    now: datetime, tz: TimeZone, n: int, form: str
) -> None:
    w = parse_when(form.format(n), now=now, tz=tz)
    assert isinstance(w.value, datetime)
    exact = now + (timedelta(hours=n) if form.endswith("h") else timedelta(minutes=n))
    assert exact <= w.value < exact + timedelta(minutes=5)
    local_value = w.value.astimezone(tz.tzinfo)
    assert local_value.minute % 5 == 0 and local_value.second == 0 and local_value.microsecond == 0


@pytest.mark.parametrize("tz", ZONES)
def test_when_eod_is_today_at_the_profiles_end_of_day(tz: str) -> None:
    zone = TimeZone.parse(tz)
    today = NOW.astimezone(zone.tzinfo).date()
    assert local(parse_when("eod", now=NOW, tz=zone), tz) == datetime.combine(today, time(17), tzinfo=zone.tzinfo)
    late = parse_when("EOD", now=NOW, tz=zone, eod=time(18, 30))
    assert local(late, tz).time() == time(18, 30)
    assert local(parse_when("fri eod", now=NOW, tz=zone), tz).date() == date(2026, 12, 4)


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("text", "wall"),
    [
        ("next fri 10am", datetime(2026, 12, 4, 10)),
        ("dec 4 14:30", datetime(2026, 12, 4, 14, 30)),
        ("4 dec at 9 pm", datetime(2026, 12, 4, 21)),
        ("in 3 days noon", datetime(2026, 12, 1, 12)),
        ("next week 9am", datetime(2026, 11, 30, 9)),
    ],
)
def test_when_new_day_forms_take_a_time(text: str, wall: datetime, tz: str) -> None:
    assert local(when(text, tz), tz).replace(tzinfo=None) == wall


# --- keeping a timed task's time of day ------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "current", "wall"),
    [
        ("-8", "2026-11-28T22:00:00+00:00", datetime(2026, 12, 4, 14)),  # 14:00 in -8
        ("5.5", "2026-11-28T08:30:00+00:00", datetime(2026, 12, 4, 14)),
        ("-2.5", "2026-11-28T16:30:00+00:00", datetime(2026, 12, 4, 14)),
        ("Asia/Kolkata", "2026-11-28T08:30:00+00:00", datetime(2026, 12, 4, 14)),
        ("0", "2026-11-28T14:00:00Z", datetime(2026, 12, 4, 14)),
    ],
)
def test_keep_time_keeps_the_local_time_of_day(tz: str, current: str, wall: datetime) -> None:
    moved = keep_time(when("fri", tz), current, TimeZone.parse(tz))
    assert local(moved, tz).replace(tzinfo=None) == wall


def test_keep_time_keeps_wall_time_across_daylight_saving() -> None:
    la = TimeZone.parse("America/Los_Angeles")
    # 14:00 PDT on 30 Oct (21:00 UTC), moved to 6 Nov, after the change: 14:00 PST (22:00 UTC)
    moved = keep_time(When(date(2026, 11, 6)), "2026-10-30T21:00:00+00:00", la)
    assert moved.to_api() == "2026-11-06T22:00:00+00:00"


@pytest.mark.parametrize("current", ["2026-11-28", None, "garbage"])
def test_keep_time_leaves_date_only_and_unreadable_tasks_date_only(current: object) -> None:
    fri = when("fri")
    assert keep_time(fri, current, TimeZone.parse("0")) == fri


def test_keep_time_leaves_a_timed_when_alone() -> None:
    at = when("fri 9am", "-8")
    assert keep_time(at, "2026-11-28T22:00:00+00:00", TimeZone.parse("-8")) == at


@pytest.mark.parametrize("tz", ZONES)
def test_is_past_today_only_for_an_earlier_time_today(tz: str) -> None:
    zone = TimeZone.parse(tz)
    now = NOW.astimezone(zone.tzinfo)
    earlier = When(now - timedelta(minutes=1))
    assert is_past_today(earlier, now=NOW, tz=zone) == (earlier.local_date(zone) == now.date())
    assert not is_past_today(When(now + timedelta(minutes=1)), now=NOW, tz=zone)
    assert not is_past_today(when("yesterday", tz), now=NOW, tz=zone)
    assert not is_past_today(when("yesterday 9am", tz), now=NOW, tz=zone)
