"""Incomplete tasks counted by assignee, by age and by type: `closetask report`'s numbers.

Pure: tasks in, counts out. A task's age is its local day (the profile's zone) against today:
more than 30 days overdue, 8-30, 1-7, due today, upcoming, or undated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from closetask.core.ordering import task_local_date
from closetask.core.timezone import TimeZone

# JSON keys, in the order every output shows them.
AGES = ("overdue_30_plus", "overdue_8_30", "overdue_1_7", "today", "upcoming", "undated")
AGE_LABELS = {
    "overdue_30_plus": "overdue >30 d",
    "overdue_8_30": "overdue 8-30 d",
    "overdue_1_7": "overdue 1-7 d",
    "today": "due today",
    "upcoming": "upcoming",
    "undated": "no date",
}
# What report asks Close for: nothing else (the same pages as `--ids`, smaller answers).
FIELDS = ("id", "_type", "date", "assigned_to", "assigned_to_name")


def age_of(task: Mapping[str, Any], tz: TimeZone, today: date) -> str:
    day = task_local_date(task, tz)
    if day is None:
        return "undated"
    late = (today - day).days
    if late > 30:
        return "overdue_30_plus"
    if late >= 8:
        return "overdue_8_30"
    if late >= 1:
        return "overdue_1_7"
    return "today" if late == 0 else "upcoming"


@dataclass
class Row:
    """One assignee's counts."""

    id: str | None
    name: str
    ages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGES, 0))

    @property
    def total(self) -> int:
        return sum(self.ages.values())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "total": self.total, **self.ages}


@dataclass
class Report:
    today: date
    rows: list[Row]
    by_type: dict[str, int]

    @property
    def by_age(self) -> dict[str, int]:
        return {age: sum(r.ages[age] for r in self.rows) for age in AGES}

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """The `--json` document (README documents it; tests pin it)."""
        return {
            "today": self.today.isoformat(),
            "total": self.total,
            "by_age": self.by_age,
            "by_type": dict(self.by_type),
            "by_assignee": [r.to_dict() for r in self.rows],
        }


def count(tasks: Iterable[Mapping[str, Any]], *, tz: TimeZone, today: date) -> Report:
    """Rows by assignee, most tasks first (then by name); types most frequent first."""
    rows: dict[str | None, Row] = {}
    types: dict[str, int] = {}
    for task in tasks:
        who = task.get("assigned_to") if isinstance(task.get("assigned_to"), str) else None
        name = task.get("assigned_to_name") or who or "(nobody)"
        row = rows.setdefault(who, Row(who, str(name)))
        row.ages[age_of(task, tz, today)] += 1
        kind = str(task.get("_type") or "?")
        types[kind] = types.get(kind, 0) + 1
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.name.lower()))
    return Report(today, ordered, dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))))
