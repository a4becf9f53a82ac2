"""`--limit N` is the first N rows of the listing without the limit, whatever order Close
pages in: core.listing.first_rows against arrange() of everything, at offsets west and east
of UTC and on half hours, with Close placing date-only tasks at UTC midnight (the placement
furthest from the local midnight the table uses)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closetask.core.listing import arrange, first_rows
from closetask.core.timezone import TimeZone

TODAY = date(2026, 11, 28)
START = datetime(2026, 11, 20, tzinfo=timezone.utc)


def close_key(task: dict) -> tuple:
    """Close's `_order_by=date` as adversarially as it could be: date-only at UTC midnight."""
    text = task["date"]
    moment = datetime.fromisoformat(text + "T00:00:00+00:00") if "T" not in text else datetime.fromisoformat(text)
    return (moment, task["id"])


def pages_of(tasks: list[dict], size: int, *, descending: bool = False):
    ordered = sorted(tasks, key=close_key, reverse=descending)
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


task_strategy = st.builds(
    lambda n, minutes, dated_only: {
        "id": f"task_{n:05d}",
        "date": (START + timedelta(minutes=minutes)).date().isoformat()
        if dated_only
        else (START + timedelta(minutes=minutes)).isoformat(),
        "date_created": (START + timedelta(minutes=n)).isoformat(),
    },
    st.integers(0, 99999),
    st.integers(0, 14 * 24 * 60),
    st.booleans(),
)


@pytest.mark.parametrize("offset", ["-8", "-2.5", "0", "5.5", "13", "+14"])
@settings(max_examples=60, deadline=None)
@given(
    tasks=st.lists(task_strategy, min_size=0, max_size=60, unique_by=lambda t: t["id"]),
    limit=st.integers(1, 40),
    size=st.integers(1, 12),
    order=st.sampled_from(["date", "-date", "date_created", "-date_created"]),
)
def test_first_rows_are_the_first_rows_of_everything(offset, tasks, limit, size, order):
    tz = TimeZone.parse(offset)
    descending = order.startswith("-")
    pages = (
        pages_of(tasks, size, descending=descending)
        if not order.endswith("created")
        else (
            sorted(tasks, key=lambda t: (t["date_created"], t["id"]), reverse=descending)[i : i + size]
            for i in range(0, len(tasks), size)
        )
    )
    everything = arrange(tasks, tz=tz, today=TODAY, view="archive", order=order).tasks
    listing, more = first_rows(pages, limit, tz=tz, today=TODAY, view="archive", order=order)
    assert [t["id"] for t in listing.tasks] == [t["id"] for t in everything[:limit]]
    assert more == (len(everything) > limit)


def test_reading_stops_once_the_first_rows_are_settled():
    tz = TimeZone.parse("0")
    tasks = [{"id": f"task_{n:03d}", "date": (TODAY - timedelta(days=30 - n // 10)).isoformat()} for n in range(300)]
    read = []

    def pages():
        for page in pages_of(tasks, 100):
            read.append(page)
            yield page

    listing, more = first_rows(pages(), 5, tz=tz, today=TODAY, view="inbox", order="date")
    assert len(read) == 1 and more
    assert [t["id"] for t in listing.tasks] == [f"task_{n:03d}" for n in range(5)]
