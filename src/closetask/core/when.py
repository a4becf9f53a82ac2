"""WHEN: the dates people type (`tomorrow`, `fri 14:30`, `+2w`, `2026-12-04`).

Close keeps date-only tasks and date-time tasks apart (a date-only task sorts before every timed
task of its day, see the Tasks page), so a day alone stays a `date` and only a day with a time
becomes an aware `datetime`. Everything is relative to an injected `now` and `TimeZone`:
nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from closetask.core.timezone import TimeZone
from closetask.errors import UsageError

ACCEPTED_FORMS = (
    "today, tomorrow, yesterday, a weekday (fri), +3d/-2w/+1m, 2026-12-04, "
    "'2026-12-04 14:30', or a day with a time ('tomorrow 9am')"
)
DAY_FORMS = "today, tomorrow, yesterday, a weekday (fri), +3d/-2w/+1m, or 2026-12-04"

_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1}

# Patterns are ASCII-only: "\d" would otherwise accept other scripts' digits ("+٣d").
# Four digits at most: +9999d is 27 years, far enough, and keeps date arithmetic small.
_OFFSET_RE = re.compile(
    r"^(?P<sign>[+-]?)(?P<n>\d{1,4})\s*"
    r"(?P<unit>d|days?|w|wks?|weeks?|m|mos?|months?)$",
    re.ASCII,
)
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
# An ISO date-time as a whole: `T` or a space, seconds and fraction optional, offset optional.
_ISO_DATETIME_RE = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})[t ](?P<h>\d{1,2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<frac>\d{1,6}))?)?"
    r"(?P<tz>z|[+-]\d{2}(?::?\d{2})?)?$",
    re.ASCII,
)
# A clock time typed by a person: 9am, 9:30 pm, 14:30, 14:30:15, noon. A bare "9" is not a
# time: "+2d 9" is more likely a typo than nine o'clock.
_TIME_RE = re.compile(
    r"^(?:(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s*(?P<ampm>[ap])\.?m\.?"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2})(?::(?P<s24>\d{2}))?"
    r"|(?P<noon>noon))$",
    re.ASCII,
)
# "<day> <time>" or "<day> at <time>": the time is the last word, or the last two when the
# second is am/pm ("tomorrow 9 am").
_DAY_TIME_RE = re.compile(r"^(?P<day>.+?)\s+(?:at\s+)?(?P<time>\S+(?:\s*[ap]\.?m\.?)?)$")


@dataclass(frozen=True)
class When:
    """A parsed WHEN: a `date` (date-only) or an aware `datetime`."""

    value: date | datetime

    def __post_init__(self) -> None:
        if isinstance(self.value, datetime) and self.value.utcoffset() is None:
            raise ValueError("When needs an aware datetime")

    @property
    def is_date_only(self) -> bool:
        return not isinstance(self.value, datetime)

    def to_api(self) -> str:
        """`2026-12-04`, or `2026-11-29T09:00:00+00:00` (normalised to UTC) for a date-time."""
        if isinstance(self.value, datetime):
            return self.value.astimezone(timezone.utc).isoformat()
        return self.value.isoformat()

    def local_date(self, tz: TimeZone) -> date:
        """The calendar day this falls on for a user in `tz`."""
        if isinstance(self.value, datetime):
            return self.value.astimezone(tz.tzinfo).date()
        return self.value


class _Bad(Exception):
    """Raised inside the parser; the public functions turn it into a `UsageError`."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


def parse_when(text: str, *, now: datetime, tz: TimeZone) -> When:
    """Parse a WHEN. A day alone is date-only; a day with a time is a date-time in `tz`.

    Raises `UsageError` naming the value and listing `ACCEPTED_FORMS`.
    """
    today = _today(now, tz)
    try:
        return _parse(text, today, tz)
    except _Bad as bad:
        raise _usage_error("date", text, bad.why, ACCEPTED_FORMS) from None


def parse_day(text: str, *, now: datetime, tz: TimeZone) -> date:
    """Parse a WHEN that must be a day (`--from`, `--to`, `--before`, `--after`)."""
    today = _today(now, tz)
    try:
        when = _parse(text, today, tz)
        if not when.is_date_only:
            raise _Bad("a day without a time is needed here")
    except _Bad as bad:
        raise _usage_error("day", text, bad.why, DAY_FORMS) from None
    return when.value


# --- the pieces ---------------------------------------------------------------------------


def _parse(text: object, today: date, tz: TimeZone) -> When:
    if not isinstance(text, str):
        raise _Bad()
    norm = " ".join(text.split()).lower()
    iso = _ISO_DATETIME_RE.match(norm)
    if iso:
        return When(_iso_datetime(iso, tz))
    day = _day(norm, today)
    if day is not None:
        return When(day)
    at = _clock(norm)
    if at is not None:  # a time alone: today at that time
        return When(_combine(today, at, tz))
    split = _DAY_TIME_RE.match(norm)
    if split:
        day = _day(split["day"], today)
        at = _clock(split["time"]) if day is not None else None
        if day is not None and at is not None:
            return When(_combine(day, at, tz))
    raise _Bad()


def _today(now: datetime, tz: TimeZone) -> date:
    if now.utcoffset() is None:
        raise ValueError("parse_when() needs an aware `now`")
    return now.astimezone(tz.tzinfo).date()


def _day(norm: str, today: date) -> date | None:
    """A day form, or None if `norm` is not one. Raises for a well-formed impossible day."""
    if norm in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[norm])
    if norm in _WEEKDAYS:
        # The next one, strictly after today: on a Friday, "fri" is a week away, because a
        # task snoozed "to fri" on a Friday should leave today's inbox.
        return today + timedelta(days=(_WEEKDAYS[norm] - today.weekday() - 1) % 7 + 1)
    match = _OFFSET_RE.match(norm)
    if match:
        n = int(match["n"]) * (-1 if match["sign"] == "-" else 1)
        unit = match["unit"][0]
        try:
            if unit == "m":
                return _add_months(today, n)
            return today + timedelta(days=n * (7 if unit == "w" else 1))
        except (OverflowError, ValueError):
            raise _Bad("too far away") from None
    match = _ISO_DATE_RE.match(norm)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise _Bad("no such day") from None
    return None


def _add_months(day: date, months: int) -> date:
    """Calendar months; the day is clamped (31 Jan + 1m = 28 or 29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _clock(norm: str) -> time | None:
    """A clock time, or None if `norm` is not one. Raises for 25:00, 13pm and the like."""
    match = _TIME_RE.match(norm)
    if not match:
        return None
    if match["noon"]:
        return time(12, 0)
    if match["h24"] is not None:
        hour, minute, second = int(match["h24"]), int(match["m24"]), int(match["s24"] or 0)
    else:
        hour, minute, second = int(match["h"]), int(match["m"] or 0), int(match["s"] or 0)
        if not 1 <= hour <= 12:
            raise _Bad("no such time")
        hour = hour % 12 + (12 if match["ampm"] == "p" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        raise _Bad("no such time") from None


def _combine(day: date, at: time, tz: TimeZone) -> datetime:
    """`day` at wall-clock `at` in `tz`.

    Daylight saving: a time skipped by the spring change (02:30 in Los Angeles) moves forward
    by the gap (03:30 PDT), and a time that happens twice in autumn means the first one
    (`fold=0`, the PEP 495 default); both are normalised through UTC so the value is real.
    """
    try:
        local = datetime.combine(day, at, tzinfo=tz.tzinfo)
        return local.astimezone(timezone.utc).astimezone(tz.tzinfo)
    except (OverflowError, ValueError):
        raise _Bad("out of range") from None


def _iso_datetime(match: re.Match[str], tz: TimeZone) -> datetime:
    """An ISO date-time; without an offset it is a wall-clock time in `tz`."""
    try:
        day = date.fromisoformat(match["day"])
        micro = int((match["frac"] or "0").ljust(6, "0"))
        at = time(int(match["h"]), int(match["m"]), int(match["s"] or 0), micro)
    except ValueError:
        raise _Bad("no such day or time") from None
    offset = match["tz"]
    if offset is None:
        return _combine(day, at, tz)
    if offset == "z":
        zone = timezone.utc
    else:
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            raise _Bad("no such offset")
        zone = timezone((-1 if offset[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes))
    result = datetime.combine(day, at, tzinfo=zone)
    try:
        result.astimezone(timezone.utc)  # to_api() must be able to express it in UTC
    except (OverflowError, ValueError):
        raise _Bad("out of range") from None
    return result


def _usage_error(kind: str, text: object, why: str, forms: str) -> UsageError:
    shown = text if isinstance(text, str) else str(text)
    shown = repr(shown if len(shown) <= 60 else shown[:57] + "...")
    detail = f" ({why})" if why else ""
    return UsageError(f"invalid {kind} {shown}{detail}: use {forms}")
