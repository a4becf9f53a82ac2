"""The tests' own reckoning of a task's instant, to check ordering and grouping against.

Not closetask's code: sort_key orders by local day, then date-only first, then by instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from closetask.core.ordering import parse_task_date
from closetask.core.timezone import TimeZone


def task_instant(task: Mapping[str, Any], tz: TimeZone) -> datetime | None:
    """A date-time task's instant; a date-only task's local midnight in `tz`; else None."""
    parsed = parse_task_date(task.get("date"))
    if parsed is None:
        return None
    if isinstance(parsed, datetime):
        return parsed
    return datetime.combine(parsed, time(0), tzinfo=tz.tzinfo)
