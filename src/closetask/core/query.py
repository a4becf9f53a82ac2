"""TaskQuery: what the filter options select, turned into `GET /task/` parameters.

The views (`inbox`, `future`, `archive`) and `bulk` build one of these from their options and
hand `query.params(tz, today=...)` to `client.paginate("task/", ...)`. Everything a person types
is checked here first (`parse_types`, `parse_order`, `parse_fields`), so a bad value exits 2
before any request is sent.

Days are the user's local days (the profile's time zone):
- `from_day` / `to_day` (inclusive) become `date__gte=<from_day>` / `date__lt=<to_day + 1>` as
  **date-only** values. Close compares a date-only bound "the way the ordering does": the bound
  sits at the start of that local day, before every timed task of the day, so
  `date__lt=2026-11-29` keeps every task of the local 28th, date-only or timed, at any offset.
- `created_after` / `created_before` become `date_created__gte` / `date_created__lt` at the
  local midnight of that day, sent as a UTC date-time: `date_created` is always an instant.
  `--created-from D` means created on D or later; `--created-before D`, created before D began.

Close's `view=inbox` replaces any `date__lt`, and `view=future` any `date__gte` (close-api.md).
When `--to` ends before the inbox does (or `--from` starts after the future does), the view is
sent as what it means instead (`is_complete=false` and the date bound), so the narrower range
is not silently dropped by the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from closetask.core.task_types import TASK_TYPES
from closetask.core.timezone import TimeZone
from closetask.errors import UsageError

VIEWS = ("inbox", "future", "archive")

# What people type for --order -> Close's `_order_by` value.
ORDERS = {
    "date": "date",
    "-date": "-date",
    "created": "date_created",
    "-created": "-date_created",
    "date_created": "date_created",
    "-date_created": "-date_created",
}
ORDER_FORMS = "date, -date, created or -created"

# Fields the client needs to put rows in display order (core.ordering's sort key).
SORT_FIELDS = ("id", "date", "date_created")

_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class TaskQuery:
    """A selection of tasks. None means "no filter" everywhere except `types` (None = all).

    `extra` holds raw Close filters added last (`{"date__lt": "2026-11-14"}`), for callers
    that need one this class has no name for.
    """

    view: str | None = "inbox"
    types: tuple[str, ...] | None = None
    assignee: str | None = None  # a user ID; None = every user's tasks
    lead_id: str | None = None
    ids: tuple[str, ...] | None = None
    from_day: date | None = None
    to_day: date | None = None
    created_after: date | None = None
    created_before: date | None = None
    is_complete: bool | None = None
    order: str | None = None  # Close's `_order_by` value: date, -date, date_created, -date_created
    limit: int | None = None  # stop after this many tasks (not sent: paging does it)
    fields: tuple[str, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.view is not None and self.view not in VIEWS:
            raise ValueError(f"unknown view {self.view!r}: use one of {', '.join(VIEWS)}")
        if self.order is not None and self.order not in ORDERS.values():
            raise ValueError(f"unknown order {self.order!r}")

    def params(self, tz: TimeZone, *, today: date | None = None) -> dict[str, str]:
        """Query parameters for `GET /task/` (paging `_skip`/`_limit` is the client's job).

        `today` (the user's local today) lets a `--to` / `--from` that is narrower than the
        view win over it; without it both are sent and Close's view takes precedence.
        """
        p: dict[str, str] = {}
        if self.ids is not None:
            p["id__in"] = ",".join(self.ids)
        if self.types is None:
            p["_type"] = "all"  # without _type Close returns lead tasks only (seed page)
        elif len(self.types) == 1:
            p["_type"] = self.types[0]
        else:
            p["_type__in"] = ",".join(self.types)
        if self.assignee is not None:
            p["assigned_to"] = self.assignee
        if self.lead_id is not None:
            p["lead_id"] = self.lead_id

        view = self.view
        is_complete = self.is_complete
        gte = self.from_day
        lt = self.to_day + timedelta(days=1) if self.to_day is not None else None
        if today is not None:
            tomorrow = today + timedelta(days=1)
            if view == "inbox" and lt is not None:
                if lt >= tomorrow:
                    lt = None  # the inbox already ends sooner
                else:
                    view, is_complete = None, False
            elif view == "future" and gte is not None:
                if gte <= tomorrow:
                    gte = None  # the future view already starts later
                else:
                    view, is_complete = None, False
        if view is not None:
            p["view"] = view
        if is_complete is not None:
            p["is_complete"] = "true" if is_complete else "false"
        if gte is not None:
            p["date__gte"] = gte.isoformat()
        if lt is not None:
            p["date__lt"] = lt.isoformat()
        if self.created_after is not None:
            p["date_created__gte"] = local_midnight_utc(self.created_after, tz)
        if self.created_before is not None:
            p["date_created__lt"] = local_midnight_utc(self.created_before, tz)
        if self.order is not None:
            p["_order_by"] = self.order
        if self.fields is not None:
            p["_fields"] = ",".join(self.fields)
        for key, value in self.extra.items():
            if value is not None:
                p[key] = _param_text(value)
        return p


def local_midnight_utc(day: date, tz: TimeZone) -> str:
    """The instant the local `day` begins, as Close's UTC ISO form (`2026-11-28T08:00:00+00:00`)."""
    local = datetime.combine(day, time(0), tzinfo=tz.tzinfo)
    return local.astimezone(timezone.utc).isoformat()


def parse_types(values: Iterable[str] | None) -> tuple[str, ...] | None:
    """`--type` values (repeatable, comma-separated) -> type names in order; None for all.

    `all` anywhere means every type. An unknown name raises UsageError listing the valid ones.
    """
    names: list[str] = []
    for value in values or ():
        for part in str(value).split(","):
            name = part.strip().lower().replace("-", "_")
            if name:
                names.append(name)
    if not names or "all" in names:
        return None
    bad = [n for n in names if n not in TASK_TYPES]
    if bad:
        import difflib

        close = difflib.get_close_matches(bad[0], TASK_TYPES, n=1, cutoff=0.6)
        guess = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"unknown task type {bad[0]!r}{guess}: use all or one or more of {', '.join(TASK_TYPES)}")
    return tuple(dict.fromkeys(names))


def parse_order(text: str | None, *, default: str | None = None) -> str | None:
    """`--order date|-date|created|-created` -> Close's `_order_by` value (`date_created`...)."""
    if text is None:
        return default
    key = text.strip().lower()
    if key not in ORDERS:
        raise UsageError(f"invalid order {text!r}: use {ORDER_FORMS}")
    return ORDERS[key]


def parse_fields(text: str | None) -> tuple[str, ...] | None:
    """`--fields id,date,text` -> ("id", "date", "text"); None when not given."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise UsageError("--fields needs at least one field name, e.g. --fields id,date,text")
    for name in names:
        if not _FIELD_RE.match(name):
            raise UsageError(f"invalid field name {name!r} in --fields: use names like id,date,lead_name")
    return tuple(dict.fromkeys(names))


def with_sort_fields(fields: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The fields to ask Close for so that rows can still be put in display order."""
    if fields is None:
        return None
    return tuple(dict.fromkeys((*fields, *SORT_FIELDS)))


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(v) for v in value)
    return str(value)
