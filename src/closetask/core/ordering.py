"""Close's task order, computed on the client.

The Tasks page: "date-only tasks are ordered before any date-time tasks at the given date,
taking the time zone (x-tz-offset) into account". At -8, `2015-01-12` sorts after
`2015-01-12T07:00:00+00:00` (23:00 on the 11th, local) and before `2015-01-12T08:00:00+00:00`
(midnight on the 12th, local). closetask sorts this way itself so that its tables are right
whatever order a server returns (design.md), and never crashes on an odd task object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from closetask.core.timezone import TimeZone

_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

# Sort keys are tuples of the same shape for every task, so comparing two tasks never mixes
# types (None vs date) and a garbage field can only move a task, never raise.
SortKey = tuple[Any, ...]


def parse_task_date(value: object) -> date | datetime | None:
    """A task's `date` field: a `date`, an aware `datetime`, or None if missing or garbage.

    Close always sends an offset on date-times; one without is read as UTC (the server's own
    zone) rather than guessed to be local.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _DATE_ONLY_RE.match(text):
            return date.fromisoformat(text)
        if len(text) <= 10 or text[4:5] != "-":  # not ISO's extended form: not Close's
            return None
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        parsed.astimezone(timezone.utc)  # years 1 and 9999 can overflow in later arithmetic
    except OverflowError:
        return None
    return parsed


def is_date_only(task: Mapping[str, Any]) -> bool:
    """True when the task's `date` is a plain day (`2015-01-05`, no "T")."""
    parsed = parse_task_date(_field(task, "date"))
    return parsed is not None and not isinstance(parsed, datetime)


def task_local_date(task: Mapping[str, Any], tz: TimeZone) -> date | None:
    """The user's calendar day for the task: its own date if date-only, else its instant's."""
    parsed = parse_task_date(_field(task, "date"))
    if parsed is None:
        return None
    if isinstance(parsed, datetime):
        try:
            return parsed.astimezone(tz.tzinfo).date()
        except OverflowError:
            return None
    return parsed


def sort_key(task: Mapping[str, Any], tz: TimeZone) -> SortKey:
    """Ascending Close order: by local day; date-only first; by instant; by creation; by id.

    Tasks without a usable date come last.
    """
    day = task_local_date(task, tz)
    if day is None:
        return (1, 0, 0, 0.0, *_tiebreak(task))
    parsed = parse_task_date(_field(task, "date"))
    if isinstance(parsed, datetime):
        return (0, day.toordinal(), 1, parsed.timestamp(), *_tiebreak(task))
    return (0, day.toordinal(), 0, 0.0, *_tiebreak(task))


def sort_tasks(
    tasks: Iterable[Mapping[str, Any]],
    tz: TimeZone,
    *,
    descending: bool = False,
    by: str = "date",
) -> list[Mapping[str, Any]]:
    """Tasks in Close's order for `_order_by=[-]date` or `[-]date_created`.

    `-date` puts the days newest first but keeps each day in its ascending order (date-only
    rows, then by time). That is how the grouped table shows a day whichever way the days
    run, and `--json` / `--ids` must list rows in the table's order so that row numbers mean
    the same thing in both. Tasks without a usable date (or `date_created`) stay last.
    """
    if by == "date":
        if not descending:
            return sorted(tasks, key=lambda task: sort_key(task, tz))

        def key(task: Mapping[str, Any]) -> SortKey:
            missing, ordinal, *rest = sort_key(task, tz)
            return (missing, -ordinal, *rest)

        return sorted(tasks, key=key)
    if by == "date_created":
        sign = -1 if descending else 1

        def created_key(task: Mapping[str, Any]) -> SortKey:
            created = _created_timestamp(task)
            if created is None:
                return (1, 0.0, _id_key(task))
            return (0, sign * created, _id_key(task))

        return sorted(tasks, key=created_key)
    raise ValueError(f"unknown sort field {by!r}: use 'date' or 'date_created'")


# --- helpers ------------------------------------------------------------------------------


def _field(task: object, name: str) -> object:
    """`task[name]`, or None when the task is not a mapping or lacks the field."""
    if isinstance(task, Mapping):
        return task.get(name)
    return None


def _created_timestamp(task: Mapping[str, Any]) -> float | None:
    parsed = parse_task_date(_field(task, "date_created"))
    if isinstance(parsed, datetime):
        return parsed.timestamp()
    return None


def _id_key(task: Mapping[str, Any]) -> tuple[int, str]:
    value = _field(task, "id")
    if value is None:
        return (1, "")
    return (0, value if isinstance(value, str) else str(value))


def _tiebreak(task: Mapping[str, Any]) -> tuple[Any, ...]:
    """Stable order among equal dates: creation time (missing last), then id."""
    created = _created_timestamp(task)
    created_key = (1, 0.0) if created is None else (0, created)
    return (*created_key, *_id_key(task))
