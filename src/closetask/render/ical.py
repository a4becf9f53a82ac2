"""Tasks as an iCalendar (RFC 5545) document, made with the `icalendar` library.

One VEVENT per task: a date-only task is an all-day event (DTSTART;VALUE=DATE, DTEND the
next day); a timed task starts at its instant, written in UTC, and lasts `duration`. The UID
comes from the task ID alone, so a calendar that imports or reads the file again updates its
events instead of adding copies. icalendar is imported here only: `closetask calendar` is the
one command that pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from closetask import __version__
from closetask.core.ordering import parse_task_date
from closetask.core.refs import lead_address
from closetask.render.summary import lead_label, summary, type_label

UID_DOMAIN = "closetask"


def uid(task_id: str) -> str:
    """Stable across runs and machines: the same task is the same event."""
    return f"{task_id}@{UID_DOMAIN}"


def calendar_bytes(tasks: Iterable[Mapping[str, Any]], *, duration: timedelta, stamp: datetime) -> bytes:
    """The calendar of `tasks` (those without a readable `date` are left out: an event needs
    a day). `stamp` is DTSTAMP, when the file was made (UTC)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//closetask//closetask {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Close tasks (closetask)")
    made = stamp.astimezone(timezone.utc)
    for task in tasks:
        when = parse_task_date(task.get("date"))
        task_id = task.get("id")
        if when is None or not isinstance(task_id, str):
            continue
        event = Event()
        event.add("uid", uid(task_id))
        event.add("dtstamp", made)
        if isinstance(when, datetime):
            start = when.astimezone(timezone.utc)
            event.add("dtstart", start)
            event.add("dtend", start + duration)
        else:
            event.add("dtstart", when)
            event.add("dtend", when + timedelta(days=1))
        event.add("summary", title(task))
        lead = task.get("lead_id")
        address = lead_address(lead) if isinstance(lead, str) and lead else None
        about = summary(task)
        description = "\n".join(part for part in (about, address, f"Task {task_id}") if part)
        event.add("description", description)
        if address:
            event.add("url", address)
        event.add("categories", [type_label(task)])
        cal.add_component(event)
    return bytes(cal.to_ical())


def title(task: Mapping[str, Any]) -> str:
    """`Missed call: Acme Corp · +1 415-555-0100`: the type, the lead, what it is about."""
    lead, about = lead_label(task), summary(task)
    head = f"{type_label(task)}: {lead}" if lead else type_label(task)
    return f"{head} · {about}" if about else head
