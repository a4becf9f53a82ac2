"""Fetching a TaskQuery's pages, and putting tasks in the order the table shows them.

Pages are yielded as they arrive (JSONL streams them, memory stays flat); everything that
shows row numbers (table, TSV, `--json`, `--ids`) collects them and calls `arrange()`, which
sorts and groups on the client with core.ordering / core.grouping, so the order is right
whatever order the server sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from closetask.close.tasks import TASKS
from closetask.core.grouping import DayGroup, group_by_day
from closetask.core.ordering import sort_tasks
from closetask.core.query import TaskQuery
from closetask.core.timezone import TimeZone

Task = Mapping[str, Any]


class PagingClient(Protocol):
    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        limit: int | None = None,
        concurrency: int = 1,
    ) -> Iterator[list[dict[str, Any]]]: ...

    def paginate_ranges(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        concurrency: int = 1,
    ) -> Iterator[list[dict[str, Any]]]: ...


def iter_pages(
    client: PagingClient,
    query: TaskQuery,
    *,
    tz: TimeZone,
    today: date | None = None,
    page_size: int = 100,
    concurrency: int = 1,
    in_order: bool = False,
) -> Iterator[list[dict[str, Any]]]:
    """Every page of `GET /task/` for `query`, up to `query.limit` tasks.

    A full listing (no limit, `in_order` False) is read by creation-date ranges, oldest
    first, whatever `query.order` says: it never meets Close's `_skip` cap and never loses or
    repeats a task that stays in the set while it is read (the client sorts for display).
    A limited listing, or one that must come in Close's order (`first_rows` reads on until
    row N is settled), pages with `_skip` in `query.order`.

    Objects that are not JSON objects are dropped: nothing downstream can show them.
    """
    params = query.params(tz, today=today)
    if in_order or query.limit is not None:
        pages = client.paginate(TASKS, params, page_size=page_size, limit=query.limit, concurrency=concurrency)
    else:
        pages = client.paginate_ranges(TASKS, params, page_size=page_size, concurrency=concurrency)
    for page in pages:
        tasks = [task for task in page if isinstance(task, dict)]
        if tasks:
            yield tasks


@dataclass
class Listing:
    """Tasks in display order. `grouped` is False for creation-date order, where the rows
    are one flat list (a single group with day None and an empty label)."""

    groups: list[DayGroup]
    grouped: bool
    today: date
    view: str

    @property
    def tasks(self) -> list[Task]:
        return [task for group in self.groups for task in group.tasks]

    def __len__(self) -> int:
        return sum(len(group.tasks) for group in self.groups)

    @property
    def overdue(self) -> int:
        """Tasks on a local day before today (never in the archive: done is not overdue)."""
        if self.view == "archive" or not self.grouped:
            return 0
        return sum(len(g.tasks) for g in self.groups if g.day is not None and g.day < self.today)


def arrange(
    tasks: Iterable[Task],
    *,
    tz: TimeZone,
    today: date,
    view: str = "inbox",
    order: str | None = None,
) -> Listing:
    """Group by local day (newest day first for `-date`) or list by creation (`[-]date_created`).

    Within a day: date-only rows first, then timed rows by time, whatever the direction, so a
    day always reads the same way. Tasks without a usable date come last.
    """
    order = order or ("-date" if view == "archive" else "date")
    descending = order.startswith("-")
    if order.lstrip("-") == "date_created":
        rows = sort_tasks(tasks, tz, descending=descending, by="date_created")
        return Listing([DayGroup(None, "", list(rows))], grouped=False, today=today, view=view)
    groups = group_by_day(tasks, tz, today=today, view=view)
    dated = sorted((g for g in groups if g.day is not None), key=lambda g: g.day, reverse=descending)  # type: ignore[arg-type, return-value]  # day is not None: filtered just before
    undated = [g for g in groups if g.day is None]
    return Listing([*dated, *undated], grouped=True, today=today, view=view)


def first_rows(
    pages: Iterable[list[dict[str, Any]]],
    limit: int,
    *,
    tz: TimeZone,
    today: date,
    view: str = "inbox",
    order: str | None = None,
) -> tuple[Listing, bool]:
    """The first `limit` rows of the listing `pages` would make without a limit, in its order,
    and whether there were more. `--limit N` means exactly this.

    Close pages by its own order (`_order_by=date`: by instant, date-only tasks at a local
    midnight it places itself), which is not quite the display order (by local day, date-only
    rows first). So pages are read until no later page can hold a row that belongs in the
    first `limit`: a task later in Close's order cannot fall on a local day more than one day
    before the last one read (one day covers any difference in where a date-only task sits);
    for creation order, no later task was created before the last one read. Usually that is
    the page holding row `limit`, or the one after it.
    """
    from closetask.core.ordering import task_local_date

    order = order or ("-date" if view == "archive" else "date")
    descending = order.startswith("-")
    by_created = order.lstrip("-") == "date_created"
    read: list[Task] = []
    more = False
    edge: int | None = None  # the earliest (latest) local day read: row `limit` is never before (after) it
    for page in pages:
        read.extend(page)
        if not by_created:
            page_days = [d.toordinal() for t in page if (d := task_local_date(t, tz)) is not None]
            if page_days:
                nearest = max(page_days) if descending else min(page_days)
                edge = nearest if edge is None else (max(edge, nearest) if descending else min(edge, nearest))
        if len(read) <= limit or not page:
            continue
        if not by_created and edge is not None and (last_day := task_local_date(page[-1], tz)) is not None:
            # Arranging everything read costs a sort per page; skip it while even the earliest
            # (latest) day read is too close to the last one for row `limit` to be settled.
            if (edge <= last_day.toordinal() + 1) if descending else (edge >= last_day.toordinal() - 1):
                continue
        nth = arrange(read, tz=tz, today=today, view=view, order=order).tasks[limit - 1]
        last = page[-1]
        if by_created:
            a, b = _created(nth), _created(last)
            settled = a is not None and b is not None and (a > b if descending else a < b)
        else:
            a_day, b_day = task_local_date(nth, tz), task_local_date(last, tz)
            settled = (
                a_day is not None
                and b_day is not None
                and (
                    a_day.toordinal() > b_day.toordinal() + 1
                    if descending
                    else a_day.toordinal() < b_day.toordinal() - 1
                )
            )
        if settled:
            more = True
            break
    listing = arrange(read, tz=tz, today=today, view=view, order=order)
    rows = listing.tasks
    more = more or len(rows) > limit
    return arrange(rows[:limit], tz=tz, today=today, view=view, order=order), more


def _created(task: Task) -> float | None:
    from closetask.core.ordering import parse_task_date

    parsed = parse_task_date(task.get("date_created"))
    return parsed.timestamp() if isinstance(parsed, datetime) else None


def trim_fields(task: Task, fields: tuple[str, ...] | None) -> Task:
    """Only the `--fields` keys, in the order asked for; keys the object lacks are left out."""
    if fields is None:
        return task
    return {name: task[name] for name in fields if name in task}


# What a typed filter (triage's `/`) looks in: the names a person remembers a task by.
_MATCH_FIELDS = ("lead_name", "text", "subject", "phone", "phone_formatted", "remote_phone", "remote_phone_formatted")


def text_matches(task: Task, needle: str) -> bool:
    """Whether `needle` (any case) is in the task's lead name, text, subject or a phone
    number; an empty needle matches every task."""
    wanted = needle.strip().casefold()
    if not wanted:
        return True
    return any(wanted in str(task.get(name) or "").casefold() for name in _MATCH_FIELDS)
