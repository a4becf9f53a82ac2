"""GET /task/: every filter of the seed page, paging and _fields, on the demo data."""

from __future__ import annotations

from closetask.sandbox.model import TASK_TYPES

from sandbox_helpers import NOW, a_lead, add, me


def all_tasks(c, **params) -> list[dict]:
    """Every page, following has_more."""
    out, skip = [], 0
    while True:
        r = c.get("task/", params={**params, "_skip": skip, "_limit": 7})
        assert r.status_code == 200, r.text
        page = r.json()
        out += page["data"]
        skip += 7
        if not page["has_more"]:
            return out


def test_without_type_only_lead_tasks_come_back(api):
    c = api()
    leads_only = all_tasks(c)
    everything = all_tasks(c, _type="all")
    assert leads_only and {t["_type"] for t in leads_only} == {"lead"}
    assert {t["_type"] for t in everything} == set(TASK_TYPES) - {"outgoing_call"}  # known, never seeded
    assert len(everything) == 60


def test_type_and_type_in(api):
    c = api()
    assert {t["_type"] for t in all_tasks(c, _type="voicemail")} == {"voicemail"}
    pair = all_tasks(c, _type__in="missed_call,voicemail")
    assert pair and {t["_type"] for t in pair} == {"missed_call", "voicemail"}
    assert len(pair) == len(all_tasks(c, _type="missed_call")) + len(all_tasks(c, _type="voicemail"))


def test_id_and_id_in(api):
    c = api()
    tasks = all_tasks(c, _type="all")
    lead_task = next(t for t in tasks if t["_type"] == "lead")
    call = next(t for t in tasks if t["_type"] == "missed_call")
    assert [t["id"] for t in all_tasks(c, id=lead_task["id"])] == [lead_task["id"]]
    # the lead-only default applies to id filters too: the call is not returned without _type
    assert [t["id"] for t in all_tasks(c, id__in=f"{lead_task['id']},{call['id']}")] == [lead_task["id"]]
    both = all_tasks(c, id__in=f"{lead_task['id']},{call['id']}", _type="all")
    assert {t["id"] for t in both} == {lead_task["id"], call["id"]}
    assert all_tasks(c, id="task_doesnotexist0000000000") == []


def test_lead_assigned_to_membership_and_is_complete(api, store):
    c = api()
    tasks = all_tasks(c, _type="all")
    lead_id = tasks[0]["lead_id"]
    assert {t["lead_id"] for t in all_tasks(c, _type="all", lead_id=lead_id)} == {lead_id}
    assert len(all_tasks(c, _type="all", lead_id=lead_id)) == sum(t["lead_id"] == lead_id for t in tasks)
    users = store.users()
    mine = all_tasks(c, _type="all", assigned_to=users[0]["id"])
    assert mine and {t["assigned_to"] for t in mine} == {users[0]["id"]}
    assert {t["assigned_to"] for t in tasks} == {u["id"] for u in users}  # all three have tasks
    assert [t["id"] for t in all_tasks(c, _type="all", membership_id=users[1]["membership_id"])] == [
        t["id"] for t in all_tasks(c, _type="all", assigned_to=users[1]["id"])
    ]
    for raw, expected in (("true", True), ("1", True), ("false", False), ("0", False), ("False", False)):
        got = all_tasks(c, _type="all", is_complete=raw)
        assert got and {t["is_complete"] for t in got} == {expected}


def test_date_created_filters(api):
    c = api()
    tasks = all_tasks(c, _type="all", _order_by="date_created")
    middle = tasks[30]["date_created"]
    before = all_tasks(c, _type="all", date_created__lt=middle)
    after = all_tasks(c, _type="all", date_created__gte=middle)
    assert len(before) == 30 and len(after) == 30
    assert all(t["date_created"] < middle for t in before)
    assert len(all_tasks(c, _type="all", date_created__lte=middle)) == 31
    assert len(all_tasks(c, _type="all", date_created__gt=middle)) == 29
    day = all_tasks(c, _type="all", date_created__gte="2026-11-27", date_created__lt="2026-11-28")
    assert all(t["date_created"].startswith("2026-11-27") for t in day)


def test_default_demo_inbox_for_the_keys_user(api, store):
    c = api()
    mine = {"_type": "all", "assigned_to": me(store)["id"]}
    inbox, future, archive = (all_tasks(c, view=v, **mine) for v in ("inbox", "future", "archive"))
    assert 12 <= len(inbox) <= 20
    assert future and archive
    assert any(t["date"] < NOW.date().isoformat() for t in inbox)  # overdue
    today = [t for t in inbox if t["date"].startswith(NOW.date().isoformat())]
    assert any(len(t["date"]) == 10 for t in today) and any("T" in t["date"] for t in today)
    assert all(t["is_complete"] for t in archive)
    assert all(not t["is_complete"] for t in inbox + future)


def test_paging_has_more_and_skip(api):
    c = api()
    full = c.get("task/", params={"_type": "all", "_limit": 100}).json()
    assert len(full["data"]) == 60 and full["has_more"] is False
    first = c.get("task/", params={"_type": "all", "_limit": 25}).json()
    assert len(first["data"]) == 25 and first["has_more"] is True
    last = c.get("task/", params={"_type": "all", "_skip": 50, "_limit": 10}).json()
    assert len(last["data"]) == 10 and last["has_more"] is False
    assert [t["id"] for t in first["data"] + last["data"]] == [t["id"] for t in full["data"][:25] + full["data"][50:]]
    past = c.get("task/", params={"_type": "all", "_skip": 60}).json()
    assert past == {"data": [], "has_more": False}
    assert [t["id"] for t in all_tasks(c, _type="all")] == [t["id"] for t in full["data"]]


def test_default_limit_is_100(api, empty_store):
    c = api(on=empty_store)
    lead = a_lead(empty_store)["id"]
    for i in range(101):
        add(c, lead, "2026-12-01", text=str(i))
    page = c.get("task/").json()
    assert len(page["data"]) == 100 and page["has_more"] is True


def test_fields_trims_objects(api):
    c = api()
    data = c.get("task/", params={"_type": "all", "_fields": "id,date,_type"}).json()["data"]
    assert data and all(set(t) == {"id", "date", "_type"} for t in data)
    only_id = c.get("task/", params={"_fields": "id", "_limit": 3}).json()["data"]
    assert all(list(t) == ["id"] for t in only_id)
    one = c.get(f"task/{only_id[0]['id']}/", params={"_fields": "id,view"}).json()
    assert set(one) == {"id", "view"}


def test_unknown_parameters_are_ignored(api):
    c = api()
    assert c.get("task/", params={"frobnicate": "1"}).json() == c.get("task/").json()


def test_method_override_get_with_params_in_the_body(api):
    c = api()
    direct = c.get("task/", params={"_type": "all", "_limit": 5}).json()
    r = c.post("task/", json={"_params": {"_type": "all", "_limit": 5}}, headers={"x-http-method-override": "GET"})
    assert r.status_code == 200 and r.json() == direct


def test_date_updated_filters(api, store):
    from datetime import timedelta

    later = NOW + timedelta(hours=1)
    task = api().get("task/", params={"view": "inbox"}).json()["data"][0]
    api(clock=lambda: later).put(f"task/{task['id']}/", json={"text": "touched"})
    c = api()
    assert [t["id"] for t in all_tasks(c, _type="all", date_updated__gte=later.isoformat())] == [task["id"]]
    assert [t["id"] for t in all_tasks(c, _type="all", date_updated__gt=NOW.isoformat())] == [task["id"]]
    assert task["id"] not in {t["id"] for t in all_tasks(c, _type="all", date_updated__lt=later.isoformat())}
    assert len(all_tasks(c, _type="all", date_updated__lte=NOW.isoformat())) == 59
