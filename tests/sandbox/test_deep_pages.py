"""Deep pages of the date order (sandbox/deep_pages.py): any page, at any depth, is the slice
of Close's order (a date-only task at its local midnight, before date-times there; then by
id), for every UTC offset, both directions, with date bounds, and ties at local midnights."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from closetask.sandbox.deep_pages import DEEP_SKIP
from closetask.sandbox.model import When, day_ts
from closetask.sandbox.store import Store, TaskFilter, pack_row

OFFSETS_H = (-8, -2.5, 0, 5.5, 13)
USERS = ("user_a", "user_b")
STAMP = "2026-11-01T00:00:00+00:00"


def task_rows() -> list[tuple]:
    rng = random.Random(11)
    rows = []
    first = date(2026, 11, 1)
    for n in range(3 * DEEP_SKIP):
        day = first + timedelta(days=rng.randint(0, 30))
        if rng.random() < 0.4:
            when = When(day.isoformat(), True, day_ts(day))
        else:
            # half of them exactly at some zone's local midnight: the ties the order decides
            ts = (
                day_ts(day) - rng.choice(OFFSETS_H) * 3600 if rng.random() < 0.5 else day_ts(day) + rng.random() * 86400
            )
            when = When(datetime.fromtimestamp(ts, timezone.utc).isoformat(), False, ts)
        rows.append(
            pack_row(
                f"task_{rng.randrange(10**6):06d}{n}",
                rng.choice(("lead", "missed_call")),
                "lead_1",
                rng.choice(USERS),
                rng.random() < 0.3,
                when,
                False,
                1.7e9,
                STAMP,
                1.7e9,
                STAMP,
                None,
                {},
            )
        )
    return rows


def filled(path: str = ":memory:") -> Store:
    s = Store(path)
    s.replace_all(meta={"api_key": "k"}, users=[{"id": u} for u in USERS], leads=[], task_rows=task_rows())
    return s


@pytest.fixture(scope="module")
def store():
    s = filled()
    yield s
    s.close()


def expected(store: Store, f: TaskFilter, descending: bool) -> list[str]:
    """Every match in Close's order, computed the slow, obvious way."""
    rows = store._read("SELECT id, date_only, ts, assigned_to, is_complete, type FROM tasks")
    keep = []
    for task_id, date_only, ts, who, done, kind in rows:
        if f.assigned_to is not None and who not in f.assigned_to:
            continue
        if f.is_complete is not None and bool(done) != f.is_complete:
            continue
        if f.types is not None and kind not in f.types:
            continue
        key = (ts - f.offset_s, 0) if date_only else (ts, 1)
        if any(not _holds(key, op, bound) for op, bound in f.date):
            continue
        keep.append((*key, task_id))
    keep.sort(reverse=descending)
    return [k[2] for k in keep]


def _holds(key: tuple, op: str, bound: tuple) -> bool:
    return {"lt": key < bound, "lte": key <= bound, "gt": key > bound, "gte": key >= bound}[op]


@pytest.mark.parametrize("hours", OFFSETS_H)
@pytest.mark.parametrize("order", ["date", "-date"])
@pytest.mark.parametrize("narrow", ["all", "user", "user-open-before", "type-after"])
def test_every_page_is_the_slice_of_the_order(store, hours, order, narrow):
    f = TaskFilter(offset_s=hours * 3600, types=None)
    middle = (day_ts(date(2026, 11, 16)) - hours * 3600, 0)  # a local midnight
    if narrow.startswith("user"):
        f.assigned_to = ["user_a"]
    if narrow == "user-open-before":
        f.is_complete, f.date = False, [("lt", middle)]
    if narrow == "type-after":
        f.types, f.date = ["lead"], [("gte", middle)]
    want = expected(store, f, order.startswith("-"))
    assert len(want) > DEEP_SKIP // 2
    for skip in (0, DEEP_SKIP - 1, DEEP_SKIP, DEEP_SKIP + 37, len(want) - 100, len(want) - 1, len(want), len(want) + 5):
        if skip < 0:
            continue
        for limit in (1, 100):
            tasks, has_more = store.find(f, order=order, skip=skip, limit=limit)
            assert [t["id"] for t in tasks] == want[skip : skip + limit], (skip, limit)
            assert has_more == (len(want) > skip + limit)


def every_page(store: Store, f: TaskFilter, order: str) -> list[str]:
    """An export: every page of 100 in turn, as a client reads them."""
    ids: list[str] = []
    while True:
        tasks, has_more = store.find(f, order=order, skip=len(ids), limit=100)
        ids += [t["id"] for t in tasks]
        if not has_more:
            return ids


@pytest.mark.parametrize("order", ["date", "-date"])
def test_an_export_resumes_the_walk_and_sees_every_write(tmp_path, order):
    """Page after page, a deep page resumes the walk where an earlier one stopped and reads
    on from rows it read (keyset). Pages asked out of turn (four at a time) are slices of
    the order too. A write between two pages, on this connection or another one, starts
    the walk again: the next page is the slice of the order as it is now."""
    path = str(tmp_path / "tasks.sqlite3")
    reader, writer = filled(path), Store(path)
    try:
        f = TaskFilter(offset_s=-2.5 * 3600, types=None, is_complete=False)
        descending = order.startswith("-")

        def page(skip: int) -> list[str]:
            return [t["id"] for t in reader.find(f, order=order, skip=skip, limit=100)[0]]

        want = expected(reader, f, descending)
        assert every_page(reader, f, order) == want
        assert reader._walks  # the deep pages went through the resumable walk
        # Four at a time, answered out of turn, as a concurrent export asks them.
        for base in range(0, len(want), 400):
            for skip in (base + 100, base, base + 300, base + 200):
                assert page(skip) == want[skip : skip + 100], skip
        middle = (DEEP_SKIP + 400) // 100 * 100
        for store in (writer, reader):  # another connection, then this one
            for skip in range(0, middle + 1, 100):
                assert page(skip) == want[skip : skip + 100]
            # Complete every third task before this page: its tasks move up the order.
            done = TaskFilter(types=None, ids=want[:middle:3])
            store.bulk_update(done, {"is_complete": True}, stamp=STAMP, user_id="user_a")
            want = expected(reader, f, descending)
            assert page(middle + 100) == want[middle + 100 : middle + 200]
            assert every_page(reader, f, order) == want
        for skip in (len(want) - 100, DEEP_SKIP + 1, len(want) // 2, DEEP_SKIP):  # back and forth
            assert page(skip) == want[skip : skip + 100]
    finally:
        reader.close()
        writer.close()
