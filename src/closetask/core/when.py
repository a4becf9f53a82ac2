"""WHEN: the dates people type (`tomorrow`, `fri 14:30`, `+2w`, `dec 4`, `+2h`, `eod`).

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
    "today, tomorrow, fri, next week, +3d/-2w/+1m, 'in 3 days', dec 4, 2026-12-04, +2h, eod, "
    "or a day with a time ('fri 9am'); all forms: closetask help dates"
)
DAY_FORMS = "today, tomorrow, yesterday, a weekday (fri), next week, +3d/-2w/+1m, 'in 3 days', dec 4, or 2026-12-04"
DEFAULT_EOD = time(17, 0)  # `eod` when the profile sets no `eod`

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
_MONTHS = {
    name: index + 1
    for index, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}

# Patterns are ASCII-only: "\d" would otherwise accept other scripts' digits ("+٣d").
# Four digits at most: +9999d is 27 years, far enough, and keeps date arithmetic small.
_OFFSET_RE = re.compile(
    r"^(?P<sign>[+-]?)(?P<n>\d{1,4})\s*"
    r"(?P<unit>d|days?|w|wks?|weeks?|m|mos?|months?)$",
    re.ASCII,
)
# "in 3 days", "in 2 weeks", "in 1 month": the same as +3d, +2w, +1m.
_IN_RE = re.compile(r"^in\s+(?P<n>\d{1,4})\s*(?P<unit>d|days?|w|wks?|weeks?|mos?|months?)$", re.ASCII)
# "+2h", "+90min", "in 2 hours", "in 30 minutes": now plus that, a timed value. Forward only
# and never a bare "m" (that is months: the date libraries tried read +1m as a minute).
_SOON_RE = re.compile(
    r"^(?:\+|in\s+)(?P<n>\d{1,4})\s*(?P<unit>h|hrs?|hours?|mins?|minutes?)$",
    re.ASCII,
)
# "dec 4", "4 dec", "december 4th": the month's name and a day number, either order.
_MONTH_DAY_RE = re.compile(
    r"^(?:(?P<m1>[a-z]+)\s*(?P<d1>\d{1,2})(?:st|nd|rd|th)?|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s*(?P<m2>[a-z]+))$",
    re.ASCII,
)
SOON_STEP = 5  # minutes: +2h is rounded up to the next multiple of this
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
    r"|(?P<noon>noon)|(?P<eod>eod))$",
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


def parse_when(text: str, *, now: datetime, tz: TimeZone, eod: time = DEFAULT_EOD) -> When:
    """Parse a WHEN. A day alone is date-only; a day with a time is a date-time in `tz`.

    `eod` is the time `eod` stands for (the profile's end of the working day).
    Raises `UsageError` naming the value and listing `ACCEPTED_FORMS`.
    """
    today = _today(now, tz)
    try:
        return _parse(text, today, tz, now=now, eod=eod)
    except _Bad as bad:
        raise _usage_error("date", text, bad.why, ACCEPTED_FORMS) from None


def parse_day(text: str, *, now: datetime, tz: TimeZone) -> date:
    """Parse a WHEN that must be a day (`--from`, `--to`, `--before`, `--after`)."""
    today = _today(now, tz)
    try:
        when = _parse(text, today, tz, now=now, eod=DEFAULT_EOD)
        if not when.is_date_only:
            raise _Bad("a day without a time is needed here")
    except _Bad as bad:
        raise _usage_error("day", text, bad.why, DAY_FORMS) from None
    return when.value


def keep_time(when: When, current: object, tz: TimeZone) -> When:
    """`when` for a task whose date is now `current` (Close's value): a day alone keeps a
    timed task's time of day on the profile's clock (`fri` on a 14:00 call is Friday 14:00).

    A timed `when`, a date-only task or an unreadable date leave `when` as it is. The wall
    time is kept, not the UTC one: across a daylight-saving change 14:00 stays 14:00.
    """
    from closetask.core.ordering import parse_task_date

    was = parse_task_date(current)
    if not when.is_date_only or not isinstance(was, datetime):
        return when
    try:
        return When(_combine(when.value, was.astimezone(tz.tzinfo).time().replace(tzinfo=None), tz))
    except _Bad:
        return when


def is_past_today(when: When, *, now: datetime, tz: TimeZone) -> bool:
    """A time earlier today than `now`: worth a word, not an error (it may be meant)."""
    if when.is_date_only:
        return False
    return when.local_date(tz) == _today(now, tz) and when.value < now


# --- the pieces ---------------------------------------------------------------------------


def _parse(text: object, today: date, tz: TimeZone, *, now: datetime, eod: time) -> When:
    if not isinstance(text, str):
        raise _Bad()
    norm = " ".join(text.split()).lower()
    iso = _ISO_DATETIME_RE.match(norm)
    if iso:
        return When(_iso_datetime(iso, tz))
    day = _day(norm, today)
    if day is not None:
        return When(day)
    soon = _SOON_RE.match(norm)
    if soon:
        return When(_soon(now, tz, int(soon["n"]), soon["unit"]))
    at = _clock(norm, eod)
    if at is not None:  # a time alone: today at that time
        return When(_combine(today, at, tz))
    split = _DAY_TIME_RE.match(norm)
    if split:
        day = _day(split["day"], today)
        at = _clock(split["time"], eod) if day is not None else None
        if day is not None and at is not None:
            return When(_combine(day, at, tz))
    raise _Bad()


def _soon(now: datetime, tz: TimeZone, n: int, unit: str) -> datetime:
    """`now` plus n hours or minutes, rounded up to SOON_STEP minutes (seconds dropped).

    Counted in elapsed time, not wall-clock time: +2h across a daylight-saving change is two
    hours from now. Every zone's offset is a whole quarter hour, so a 5-minute boundary in
    UTC is one on the local clock too.
    """
    delta = timedelta(hours=n) if unit.startswith("h") else timedelta(minutes=n)
    step = SOON_STEP * 60
    try:
        at = now.astimezone(timezone.utc) + delta
        seconds = at.minute * 60 + at.second + (1 if at.microsecond else 0)
        at = at.replace(minute=0, second=0, microsecond=0) + timedelta(seconds=-(-seconds // step) * step)
        return at.astimezone(tz.tzinfo)
    except (OverflowError, ValueError):
        raise _Bad("too far away") from None


def _today(now: datetime, tz: TimeZone) -> date:
    if now.utcoffset() is None:
        raise ValueError("parse_when() needs an aware `now`")
    return now.astimezone(tz.tzinfo).date()


def _day(norm: str, today: date) -> date | None:
    """A day form, or None if `norm` is not one. Raises for a well-formed impossible day."""
    if norm in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[norm])
    if norm.startswith("next "):
        rest = norm[5:]
        if rest == "week":  # Monday of next week: on a Monday, a week away
            return today + timedelta(days=7 - today.weekday())
        # "next fri" = "fri": the first Friday after today. Some read it as the Friday of
        # next week; the first one after today is the reading that never skips a week.
        return today + timedelta(days=(_WEEKDAYS[rest] - today.weekday() - 1) % 7 + 1) if rest in _WEEKDAYS else None
    if norm in _WEEKDAYS:
        # The next one, strictly after today: on a Friday, "fri" is a week away, because a
        # task snoozed "to fri" on a Friday should leave today's inbox.
        return today + timedelta(days=(_WEEKDAYS[norm] - today.weekday() - 1) % 7 + 1)
    match = _IN_RE.match(norm)
    if match:
        norm = f"+{match['n']}{match['unit']}"
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
    match = _MONTH_DAY_RE.match(norm)
    if match and (match["m1"] or match["m2"]) in _MONTHS:
        return _next_month_day(today, _MONTHS[match["m1"] or match["m2"]], int(match["d1"] or match["d2"]))
    return None


def _next_month_day(today: date, month: int, day: int) -> date:
    """The next `day` of `month`, today included: dec 4 on 5 Dec is next year's.
    29 Feb is the next one that exists (up to 8 years away)."""
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000: a leap year
        raise _Bad("no such day")
    for year in range(today.year, min(today.year + 9, 10000)):
        if day <= calendar.monthrange(year, month)[1] and (found := date(year, month, day)) >= today:
            return found
    raise _Bad("too far away")


def _add_months(day: date, months: int) -> date:
    """Calendar months; the day is clamped (31 Jan + 1m = 28 or 29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _clock(norm: str, eod: time) -> time | None:
    """A clock time, or None if `norm` is not one. Raises for 25:00, 13pm and the like."""
    match = _TIME_RE.match(norm)
    if not match:
        return None
    if match["noon"]:
        return time(12, 0)
    if match["eod"]:
        return eod
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
