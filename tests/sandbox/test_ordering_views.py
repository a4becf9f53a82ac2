"""Ordering and views: the seed page's date-only-first rule, in the user's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from sandbox_helpers import NOW, a_lead, add, texts

SEED_EXAMPLE = ["2015-01-12T07:00:00+00:00", "2015-01-12", "2015-01-12T08:00:00+00:00"]


def test_seed_page_example_at_offset_minus_8(empty_store, api):
    """Tasks page: at -8, ascending, 2015-01-12 sorts after 07:00Z and before 08:00Z."""
    c = api("-8", on=empty_store)
    lead = a_lead(empty_store)["id"]
    for when in reversed(SEED_EXAMPLE):  # inserted out of order on purpose
        add(c, lead, when)
    assert texts(c) == SEED_EXAMPLE
    assert texts(c, _order_by="date") == SEED_EXAMPLE
    assert texts(c, _order_by="-date") == SEED_EXAMPLE[::-1]


def test_same_tasks_at_offset_0_put_the_date_only_task_first(empty_store, api):
    c = api("0", on=empty_store)
    lead = a_lead(empty_store)["id"]
    for when in SEED_EXAMPLE:
        add(c, lead, when)
    # at UTC the 12th starts at 00:00Z, before both date-times
    assert texts(c) == ["2015-01-12", "2015-01-12T07:00:00+00:00", "2015-01-12T08:00:00+00:00"]


def test_date_only_tasks_on_the_same_day_keep_a_stable_order(empty_store, api):
    c = api("5.5", on=empty_store)
    lead = a_lead(empty_store)["id"]
    ids = [add(c, lead, "2026-12-01", text=f"t{i}")["id"] for i in range(5)]
    listed = [t["id"] for t in c.get("task/").json()["data"]]
    assert listed == sorted(ids)  # tie-break by id
    assert [t["id"] for t in c.get("task/", params={"_order_by": "-date"}).json()["data"]] == sorted(ids, reverse=True)


def test_order_by_date_created(empty_store, api):
    lead = a_lead(empty_store)["id"]
    made = []
    for minute, when in enumerate(["2026-12-05", "2026-12-01", "2026-12-03"]):
        stamp = NOW + timedelta(minutes=minute)
        c = api("0", on=empty_store, clock=lambda stamp=stamp: stamp)
        made.append(add(c, lead, when)["text"])
    c = api("0", on=empty_store)
    assert texts(c, _order_by="date_created") == made
    assert texts(c, _order_by="-date_created") == made[::-1]
    assert texts(c) == sorted(made)


def test_date_filters_compare_like_the_ordering(empty_store, api):
    c = api("-8", on=empty_store)
    lead = a_lead(empty_store)["id"]
    for when in SEED_EXAMPLE:
        add(c, lead, when)
    a, d, b = SEED_EXAMPLE  # 07:00Z, date-only (= 08:00Z at -8, but first), 08:00Z
    assert texts(c, date__lt="2015-01-12") == [a]
    assert texts(c, date__lte="2015-01-12") == [a, d]
    assert texts(c, date__gte="2015-01-12") == [d, b]
    assert texts(c, date__gt="2015-01-12") == [b]
    assert texts(c, date__lt="2015-01-12T08:00:00+00:00") == [a, d]
    assert texts(c, date__gte="2015-01-12T08:00:00+00:00") == [b]
    assert texts(c, date__lte="2015-01-12T07:00:00+00:00") == [a]
    assert texts(c, date__gt="2015-01-12T07:00:00+00:00") == [d, b]
    # a "+" left unescaped in a URL arrives as a space: still understood
    r = c.get("task/?date__gt=2015-01-12T07:00:00+00:00")
    assert [t["text"] for t in r.json()["data"]] == [d, b]
    # the same filter at UTC: the date-only task moves to 00:00Z, before 07:00Z
    assert texts(api("0", on=empty_store), date__lt="2015-01-12T07:00:00+00:00") == [d]


def local(offset: float, day: date, hh: int, mm: int) -> str:
    """A UTC date-time string for local wall time hh:mm on `day` at `offset` hours."""
    wall = datetime(day.year, day.month, day.day, hh, mm, tzinfo=timezone(timedelta(hours=offset)))
    return wall.astimezone(timezone.utc).isoformat()


@pytest.mark.parametrize("offset", ["-8", "0", "5.5", "13"])
def test_view_boundaries_around_local_midnight(empty_store, api, offset):
    hours = float(offset)
    today = (NOW + timedelta(hours=hours)).date()
    tomorrow = today + timedelta(days=1)
    c = api(offset, on=empty_store)
    lead = a_lead(empty_store)["id"]
    cases = {
        "today date-only": (today.isoformat(), "inbox"),
        "today 23:30": (local(hours, today, 23, 30), "inbox"),
        "today 23:59": (local(hours, today, 23, 59), "inbox"),
        "yesterday date-only": ((today - timedelta(days=1)).isoformat(), "inbox"),
        "tomorrow 00:00": (local(hours, tomorrow, 0, 0), "future"),
        "tomorrow 00:30": (local(hours, tomorrow, 0, 30), "future"),
        "tomorrow date-only": (tomorrow.isoformat(), "future"),
        "next week": ((today + timedelta(days=7)).isoformat(), "future"),
    }
    for name, (when, _) in cases.items():
        add(c, lead, when, text=name)
    inbox = set(texts(c, view="inbox"))
    future = set(texts(c, view="future"))
    assert inbox == {n for n, (_, v) in cases.items() if v == "inbox"}
    assert future == {n for n, (_, v) in cases.items() if v == "future"}
    for task in c.get("task/").json()["data"]:  # each object's own `view` agrees
        assert task["view"] == cases[task["text"]][1], task["text"]
    assert texts(c, view="archive") == []


def test_view_of_a_task_depends_on_the_offset(empty_store, api):
    lead = a_lead(empty_store)["id"]
    # 2026-11-29T01:00Z: local tomorrow at UTC, still local today at -8 (17:00 on the 28th)
    task = add(api("0", on=empty_store), lead, "2026-11-29T01:00:00+00:00")
    assert task["view"] == "future"
    assert api("-8", on=empty_store).get(f"task/{task['id']}/").json()["view"] == "inbox"
    assert api("13", on=empty_store).get(f"task/{task['id']}/").json()["view"] == "inbox"


def test_missing_offset_means_utc(empty_store, api):
    lead = a_lead(empty_store)["id"]
    add(api("0", on=empty_store), lead, "2026-11-28T23:30:00+00:00", text="late")
    assert texts(api(None, on=empty_store), view="inbox") == ["late"]
    assert texts(api("-1", on=empty_store), view="inbox") == ["late"]
    assert texts(api("1", on=empty_store), view="future") == ["late"]


def test_view_overrides_date_lt_for_inbox(empty_store, api):
    c = api("0", on=empty_store)
    lead = a_lead(empty_store)["id"]
    add(c, lead, "2026-11-28", text="today")
    add(c, lead, "2026-11-20", text="old")
    assert texts(c, view="inbox", date__lt="2026-11-01") == ["old", "today"]
    assert texts(c, view="inbox", date__gte="2026-11-25") == ["today"]  # other bounds still apply


def test_completing_moves_a_task_to_the_archive(empty_store, api):
    c = api("0", on=empty_store)
    task = add(c, a_lead(empty_store)["id"], "2026-11-28")
    done = c.put(f"task/{task['id']}/", json={"is_complete": True}).json()
    assert done["is_complete"] is True and done["view"] == "archive"
    assert texts(c, view="inbox") == []
    assert [t["id"] for t in c.get("task/", params={"view": "archive"}).json()["data"]] == [task["id"]]
