"""Tasks grouped by the user's local day, with headings that say where each day stands.

`Overdue · Thu 26 Nov`, `Today · Sat 28 Nov`, `Tomorrow · Sun 29 Nov`, `Fri 4 Dec`: the
table a rep reads every morning. Labels use fixed English names rather than the
locale's `%a`/`%b`, so output (and snapshot tests) do not change with `LANG`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from closetask.core.ordering import parse_task_date, sort_key, task_local_date
from closetask.core.query import VIEWS
from closetask.core.timezone import TimeZone

SEPARATOR = " \u00b7 "  # " · "
NO_DATE_LABEL = "No date"

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class DayGroup:
    """One heading of the table and its tasks, in display order. `day` is None for tasks
    without a usable date."""

    day: date | None
    label: str
    tasks: list[Mapping[str, Any]] = field(default_factory=list)


def group_by_day(
    tasks: Iterable[Mapping[str, Any]],
    tz: TimeZone,
    *,
    today: date,
    view: str = "inbox",
) -> list[DayGroup]:
    """Every task in exactly one group; groups by local day (newest first for `archive`),
    each sorted date-only first, then by time; a final `No date` group for the rest."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: use one of {', '.join(VIEWS)}")
    by_day: dict[date | None, list[Mapping[str, Any]]] = {}
    for task in tasks:
        by_day.setdefault(task_local_date(task, tz), []).append(task)
    days = sorted((day for day in by_day if day is not None), reverse=view == "archive")
    groups = [DayGroup(day, day_label(day, today=today, view=view), _sorted(by_day[day], tz)) for day in days]
    if None in by_day:
        groups.append(DayGroup(None, NO_DATE_LABEL, _sorted(by_day[None], tz)))
    return groups


def day_text(day: date, *, today: date) -> str:
    """`Thu 26 Nov`, or `Fri 4 Dec 2027` outside today's year (English, whatever the locale)."""
    text = f"{_WEEKDAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def day_label(day: date, *, today: date, view: str = "inbox") -> str:
    """`Overdue · Thu 26 Nov`, `Yesterday · Fri 27 Nov` (archive), `Today · Sat 28 Nov`,
    `Tomorrow · Sun 29 Nov`, `Fri 4 Dec`, or `Fri 4 Dec 2027` outside the current year."""
    text = day_text(day, today=today)
    if day == today:
        return f"Today{SEPARATOR}{text}"
    if day == today + timedelta(days=1):
        return f"Tomorrow{SEPARATOR}{text}"
    if view == "archive":
        # Done tasks in the past are history, not overdue.
        if day == today - timedelta(days=1):
            return f"Yesterday{SEPARATOR}{text}"
        return text
    if day < today:
        return f"Overdue{SEPARATOR}{text}"
    return text


def local_time_label(task: Mapping[str, Any], tz: TimeZone) -> str:
    """`""` for a date-only (or dateless) task, else the local `HH:MM` of its instant."""
    parsed = parse_task_date(task.get("date") if isinstance(task, Mapping) else None)
    if not isinstance(parsed, datetime):
        return ""
    try:
        return parsed.astimezone(tz.tzinfo).strftime("%H:%M")
    except OverflowError:
        return ""


def _sorted(tasks: list[Mapping[str, Any]], tz: TimeZone) -> list[Mapping[str, Any]]:
    return sorted(tasks, key=lambda task: sort_key(task, tz))
