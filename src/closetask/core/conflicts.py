"""Has a task changed since a journal entry changed it? Undo asks before it puts anything back.

A task is changed since the entry when
- a later command in the journal (not undone) touched it: this catches a rerun that set the
  same value again, which a value check alone would miss;
- a field no longer holds the value the entry set (someone, or something, changed it);
- Close's `date_updated` is later than the entry was confirmed (instants compared, with a
  minute's grace for the two clocks), which catches a colleague's change to another field.

Such tasks are left alone unless the person insists (`--force`). Close has no conditional PUT,
so a change made between this check and the revert is not caught: the window is one request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from closetask.core.journal import JournalEntry
from closetask.core.ordering import parse_task_date

CLOCK_GRACE = timedelta(minutes=1)  # our clock against Close's, for date_updated


def changed_since(
    entry: JournalEntry,
    later: Sequence[JournalEntry],
    current: Mapping[str, Mapping[str, Any]],
    ids: Sequence[str],
) -> dict[str, str]:
    """Task ID -> why it must be left alone, for every one of `ids` changed since `entry`.

    `current` holds each task as Close has it now (a task missing from it is gone: deleted
    since, and reported as such). `later` are the journal's entries after `entry`.
    """
    reasons: dict[str, str] = {}
    touched_later = _touched_by(later)
    ours = _our_later_times(later)  # later changes of ours, since undone: they explain date_updated
    for task_id in ids:
        task = current.get(task_id)
        if task is None:
            reasons[task_id] = "no longer in Close (deleted since)"
            continue
        if task_id in touched_later:
            reasons[task_id] = f"changed since by `{touched_later[task_id].command}`"
            continue
        before = entry.before_of(task_id) or {}
        differing = [
            f"{name} is now {_show(task.get(name))}, not {_show(value)}"
            for name, value in entry.changes_for(task_id).items()
            if name in task
            and not same_value(name, task.get(name), value)
            # still (or again) the value before the entry: a chunk that never applied, or a
            # task already put back; reverting it changes nothing
            and not (name in before and same_value(name, task.get(name), before[name]))
        ]
        if differing:
            reasons[task_id] = "; ".join(differing)
            continue
        updated = _instant(task.get("date_updated"))
        times = [t for t in (_instant(entry.finished_at), *ours.get(task_id, ())) if t is not None]
        confirmed = max(times) if times else None
        if confirmed is not None and updated is not None and updated > confirmed + CLOCK_GRACE:
            reasons[task_id] = f"updated in Close at {updated.isoformat(timespec='seconds')}, after this change"
    return reasons


def same_value(name: str, now: Any, set_to: Any) -> bool:
    """Equal as Close means it: dates compared as days or instants, not as strings."""
    if name in ("date", "due_date"):
        a, b = parse_task_date(now), parse_task_date(set_to)
        if a is not None and b is not None:
            return type(a) is type(b) and a == b
    return bool(now == set_to)


def _touched_by(later: Sequence[JournalEntry]) -> dict[str, JournalEntry]:
    out: dict[str, JournalEntry] = {}
    for entry in later:
        if entry.status == "undone":
            continue
        for task_id in entry.touched:
            out.setdefault(task_id, entry)
    return out


def _our_later_times(later: Sequence[JournalEntry]) -> dict[str, list[datetime | None]]:
    out: dict[str, list[datetime | None]] = {}
    for entry in later:
        if entry.status != "undone":
            continue
        for task_id in entry.touched:
            out.setdefault(task_id, []).extend((_instant(entry.finished_at), _instant(entry.undone_at)))
    return out


def _instant(value: Any) -> datetime | None:
    parsed = parse_task_date(value)
    if isinstance(parsed, datetime):
        return parsed
    if isinstance(parsed, date):
        return datetime(parsed.year, parsed.month, parsed.day, tzinfo=timezone.utc)
    return None


def _show(value: Any) -> str:
    return "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
