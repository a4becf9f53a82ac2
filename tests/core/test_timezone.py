"""TimeZone parsing, display, offsets in force, and the X-TZ-Offset header value."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closetask.core.timezone import TimeZone, format_offset

UTC = timezone.utc
JANUARY = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
JULY = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("-8", -8.0),
        ("+5.5", 5.5),
        ("5.5", 5.5),
        ("5:30", 5.5),
        ("-02:30", -2.5),
        ("-2.5", -2.5),
        ("5.75", 5.75),
        ("+0545", 5.75),
        ("13", 13.0),
        ("+14", 14.0),
        ("-12", -12.0),
        ("0", 0.0),
        ("-0", 0.0),
        ("UTC+05:30", 5.5),
        ("utc-8", -8.0),
        ("GMT+1", 1.0),
        ("  -8  ", -8.0),
    ],
)
def test_tz_parse_fixed_offsets(text: str, hours: float) -> None:
    tz = TimeZone.parse(text)
    assert tz.hours is not None and tz.key is None
    assert tz.hours == hours
    assert tz.key is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("America/Los_Angeles", "America/Los_Angeles"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("asia/kolkata", "Asia/Kolkata"),
        ("Etc/GMT+8", "Etc/GMT+8"),  # IANA's own POSIX-signed names pass through as names
    ],
)
def test_tz_parse_iana_names(text: str, key: str) -> None:
    tz = TimeZone.parse(text)
    assert tz.hours is None and tz.key is not None
    assert tz.key == key
    assert tz.name == key


def test_tz_parse_accepts_numbers_from_toml() -> None:
    assert TimeZone.parse(-8) == TimeZone.parse("-8")
    assert TimeZone.parse(5.5) == TimeZone.parse("+05:30")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("garbage", "unknown time zone 'garbage'"),
        ("America", "unknown time zone"),  # a directory of the tz database, not a zone
        ("../../etc/passwd", "unknown time zone"),
        ("", "unknown time zone"),
        ("15", "out of range"),
        ("-13", "out of range"),
        ("+14.25", "out of range"),
        ("5.3", "quarter hour"),
        ("5:07", "quarter hour"),
        ("5:75", "invalid time zone"),
        ("--8", "unknown time zone"),
        ("+\u0668", "unknown time zone"),  # Arabic-Indic digit eight: ASCII digits only
    ],
)
def test_tz_parse_rejects_with_one_line_message(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        TimeZone.parse(text)
    message = str(excinfo.value)
    assert fragment in message
    assert "\n" not in message


def test_tz_parse_rejects_non_text() -> None:
    for value in (None, True, [], {}):
        with pytest.raises(ValueError):
            TimeZone.parse(value)  # type: ignore[arg-type]


def test_tz_constructor_checks_its_fields() -> None:
    with pytest.raises(ValueError):
        TimeZone()
    with pytest.raises(ValueError):
        TimeZone(key="UTC", hours=0)
    with pytest.raises(ValueError):
        TimeZone(key="Not/AZone")
    with pytest.raises(ValueError):
        TimeZone(hours=20)
    assert TimeZone(hours=-8) == TimeZone(hours=-8.0) == TimeZone.fixed(-8)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("-8", "UTC-08:00"),
        ("5.5", "UTC+05:30"),
        ("-2.5", "UTC-02:30"),
        ("5.75", "UTC+05:45"),
        ("0", "UTC+00:00"),
        ("13", "UTC+13:00"),
    ],
)
def test_tz_name_of_fixed_offsets(text: str, name: str) -> None:
    tz = TimeZone.parse(text)
    assert tz.name == name
    assert str(tz) == name
    assert TimeZone.parse(str(tz)) == tz


@given(st.integers(min_value=-48, max_value=56))
def test_tz_fixed_offsets_round_trip_through_str(quarters: int) -> None:
    tz = TimeZone.fixed(quarters / 4)
    assert TimeZone.parse(str(tz)) == tz
    assert TimeZone.parse(format_offset(quarters / 4)) == tz


@given(
    st.sampled_from(
        [
            "America/Los_Angeles",
            "Asia/Kolkata",
            "America/St_Johns",
            "UTC",
            "Pacific/Kiritimati",
            "Asia/Kathmandu",
            "Europe/London",
        ]
    )
)
def test_tz_iana_round_trip_through_str(key: str) -> None:
    assert TimeZone.parse(str(TimeZone.parse(key))) == TimeZone(key=key)


def test_tz_offset_hours_follows_daylight_saving() -> None:
    la = TimeZone.parse("America/Los_Angeles")
    assert la.offset_hours(JANUARY) == -8.0
    assert la.offset_hours(JULY) == -7.0
    st_johns = TimeZone.parse("America/St_Johns")
    assert st_johns.offset_hours(JANUARY) == -3.5
    assert st_johns.offset_hours(JULY) == -2.5
    kolkata = TimeZone.parse("Asia/Kolkata")
    assert kolkata.offset_hours(JANUARY) == kolkata.offset_hours(JULY) == 5.5


def test_tz_offset_hours_at_the_spring_change_instant() -> None:
    la = TimeZone.parse("America/Los_Angeles")
    change = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 02:00 PST becomes 03:00 PDT
    assert la.offset_hours(change - timedelta(seconds=1)) == -8.0
    assert la.offset_hours(change) == -7.0


def test_tz_offset_hours_of_fixed_offset_ignores_the_date() -> None:
    tz = TimeZone.parse("-2.5")
    assert tz.offset_hours(JANUARY) == tz.offset_hours(JULY) == -2.5


def test_tz_offset_hours_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        TimeZone.parse("UTC").offset_hours(datetime(2026, 1, 1))


@pytest.mark.parametrize("text", ["-8", "0", "5.5", "-2.5", "13", "5.75", "America/Los_Angeles"])
def test_tz_tzinfo_agrees_with_offset_hours(text: str) -> None:
    tz = TimeZone.parse(text)
    for at in (JANUARY, JULY):
        offset = at.astimezone(tz.tzinfo).utcoffset()
        assert offset is not None
        assert offset.total_seconds() / 3600 == tz.offset_hours(at)


@pytest.mark.parametrize(
    ("hours", "header"),
    [
        (-8, "-8"),
        (-8.0, "-8"),
        (0, "0"),
        (-0.0, "0"),
        (5.5, "5.5"),
        (-2.5, "-2.5"),
        (5.75, "5.75"),
        (-9.75, "-9.75"),
        (13, "13"),
        (14.0, "14"),
        (-3.5, "-3.5"),
    ],
)
def test_format_offset(hours: float, header: str) -> None:
    assert format_offset(hours) == header


@given(st.integers(min_value=-48, max_value=56))
def test_format_offset_is_a_plain_number(quarters: int) -> None:
    header = format_offset(quarters / 4)
    assert float(header) == quarters / 4
    assert not header.endswith(".0")
    assert "e" not in header


def test_format_offset_of_la_now_and_in_summer() -> None:
    la = TimeZone.parse("America/Los_Angeles")
    assert format_offset(la.offset_hours(JANUARY)) == "-8"
    assert format_offset(la.offset_hours(JULY)) == "-7"


# --- TimeZone.local: every source injected, the real machine never read ----------------------

NOWHERE = "/nonexistent/closetask-test"


def test_tz_local_prefers_tz_variable() -> None:
    tz = TimeZone.local(environ={"TZ": "Asia/Kolkata"}, localtime_path=NOWHERE, timezone_file=NOWHERE)
    assert tz == TimeZone(key="Asia/Kolkata")


def test_tz_local_reads_tz_variable_with_colon_or_path() -> None:
    assert (
        TimeZone.local(environ={"TZ": ":Europe/London"}, localtime_path=NOWHERE, timezone_file=NOWHERE).key
        == "Europe/London"
    )
    assert (
        TimeZone.local(
            environ={"TZ": ":/usr/share/zoneinfo/Asia/Kolkata"}, localtime_path=NOWHERE, timezone_file=NOWHERE
        ).key
        == "Asia/Kolkata"
    )


def test_tz_local_reads_localtime_link(tmp_path) -> None:
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/US/Pacific")
    # The link's own name is kept, not the file it resolves to (America/Los_Angeles).
    tz = TimeZone.local(environ={}, localtime_path=str(link), timezone_file=NOWHERE)
    assert tz == TimeZone(key="US/Pacific")


def test_tz_local_never_reads_posix_tz_strings_as_offsets(tmp_path) -> None:
    # POSIX "UTC+8" means eight hours *west*: ignored, the link decides.
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/posix/Asia/Kolkata")
    tz = TimeZone.local(environ={"TZ": "UTC+8"}, localtime_path=str(link), timezone_file=NOWHERE)
    assert tz == TimeZone(key="Asia/Kolkata")


def test_tz_local_reads_debian_timezone_file(tmp_path) -> None:
    path = tmp_path / "timezone"
    path.write_text("America/St_Johns\n", encoding="utf-8")
    tz = TimeZone.local(environ={}, localtime_path=NOWHERE, timezone_file=str(path))
    assert tz == TimeZone(key="America/St_Johns")


def test_tz_local_falls_back_to_current_fixed_offset(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "<-0230>2:30")  # POSIX: 2h30 west of UTC, no DST
    time.tzset()
    try:
        tz = TimeZone.local(environ={}, localtime_path=NOWHERE, timezone_file=NOWHERE, now=JULY)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert tz == TimeZone.fixed(-2.5)
