"""Writes, validation errors in Close's shapes, 401/404/405, and the user and lead endpoints."""

from __future__ import annotations

import pytest

from closetask.sandbox.app import UNAUTHORIZED, SandboxApp
from closetask.sandbox.model import RECORDED_ORDER, TYPE_FIELDS

from sandbox_helpers import NOW, a_lead, add, client_for, me


def field_errors(r) -> dict:
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"errors", "field-errors"}, body
    return body["field-errors"]


def errors(r) -> list:
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"errors", "field-errors"}, body
    return body["errors"]


# --- validation of list queries --------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"_type": "phone_call"}, "_type"),
        ({"_type__in": "lead,nope"}, "_type__in"),
        ({"is_complete": "yes"}, "is_complete"),
        ({"date__lt": "2026-13-01"}, "date__lt"),
        ({"date__gte": "tomorrow"}, "date__gte"),
        ({"date_created__gt": "2026-11-28T25:00:00"}, "date_created__gt"),
        ({"view": "today"}, "view"),
        ({"_order_by": "text"}, "_order_by"),
    ],
)
def test_bad_filter_values_are_400_field_errors(api, params, field):
    assert field in field_errors(api().get("task/", params=params))


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"_limit": 1001}, "max_limit = 1000"),
        ({"_limit": "ten"}, "_limit"),
        ({"_skip": 250001}, "max_skip = 250000"),
        ({"_skip": -1}, "_skip"),
    ],
)
def test_paging_limits(api, params, needle):
    assert any(needle in e for e in errors(api().get("task/", params=params)))


@pytest.mark.parametrize("offset", ["abc", "", "  ", "-8.5", "99", "nan"])
def test_x_tz_offset(api, offset):
    r = api(offset).get("task/", params={"view": "inbox"})
    if offset.strip() in ("", "-8.5"):
        assert r.status_code == 200
    else:
        assert any("X-TZ-Offset" in e for e in errors(r))


def test_several_problems_are_reported_at_once(api):
    body = api().get("task/", params={"_type": "x", "view": "y", "_limit": 5000}).json()
    assert set(body["field-errors"]) == {"_type", "view"} and body["errors"]


# --- POST /task/ -----------------------------------------------------------------------


def test_create_a_dateless_task(api, store):
    c = api("-8")
    lead = a_lead(store, 3)
    task = add(c, lead["id"], None, text="Call back")
    assert task["_type"] == "lead" and task["text"] == "Call back"
    assert task["lead_id"] == lead["id"] and task["lead_name"] == lead["display_name"]
    assert task["date"] == "2026-11-28" and task["is_dateless"] is True and task["due_date"] is None  # -8: 04:00 local
    assert task["assigned_to"] == me(store)["id"] and task["assigned_to_name"] == "Alex Morgan"
    assert task["created_by"] == me(store)["id"] and task["is_complete"] is False and task["view"] == "inbox"
    assert task["id"].startswith("task_") and len(task["id"]) == len("task_") + 43
    assert task["date_created"] == "2026-11-28T12:00:00.000000+00:00" == task["date_updated"]
    assert list(task)[: len(RECORDED_ORDER["lead"])] == list(RECORDED_ORDER["lead"])  # Close's order
    assert {"is_new", "priority", "deduplication_key"} <= set(task)  # newer fields pass through
    assert c.get(f"task/{task['id']}/").json() == task


def test_create_with_date_time_assignee_and_contact(api, store):
    c = api()
    lead = next(x for x in store.leads() if x["contacts"])
    other = store.users()[2]
    task = add(
        c,
        lead["id"],
        "2026-12-02T15:30:00-05:00",
        assigned_to=other["id"],
        contact_id=lead["contacts"][0]["id"],
        is_complete=False,
    )
    assert task["date"] == "2026-12-02T20:30:00+00:00" and task["is_dateless"] is False
    assert task["due_date"] == "2026-12-02" and task["view"] == "future"
    assert task["assigned_to"] == other["id"] and task["contact_name"] == lead["contacts"][0]["name"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"lead_id": "lead_nope", "text": "x"}, {"lead": "Object does not exist."}),
        ({"text": "x"}, {"lead": "This field is required."}),
        ({"_type": "missed_call", "lead_id": "LEAD"}, {"_type": "Only tasks of type lead can be created."}),
        ({"lead_id": "LEAD", "date": "next friday"}, {"date": "Not a valid date or datetime."}),
        ({"lead_id": "LEAD", "assigned_to": "user_nope"}, {"assigned_to": "Object does not exist."}),
        ({"lead_id": "LEAD", "is_complete": "yes"}, {"is_complete": "Not a valid boolean."}),
        ({"lead_id": "LEAD", "text": 5}, {"text": "Not a valid string."}),
        ({"lead_id": "LEAD", "view": "inbox"}, {"view": "Unknown field."}),
    ],
)
def test_create_validation(api, store, body, expected):
    lead = a_lead(store)["id"]
    body = {k: (lead if v == "LEAD" else v) for k, v in body.items()}
    r = api().post("task/", json=body)
    assert r.json() == {"errors": [], "field-errors": expected}
    assert r.status_code == 400


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b""])
def test_bodies_that_are_not_json_objects(api, store, raw):
    c = api()
    task_id = c.get("task/").json()["data"][0]["id"]
    for method, path in (("POST", "task/"), ("PUT", f"task/{task_id}/"), ("PUT", f"task/?id={task_id}")):
        r = c.request(method, path, content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and errors(r), (method, path, raw)


def test_form_bodies_are_415(api, store):
    r = api().post("task/", data={"lead_id": a_lead(store)["id"]})
    assert r.status_code == 415 and "error" in r.json()


# --- PUT /task/{id}/ ---------------------------------------------------------------------


def test_update_is_partial_and_answers_the_whole_task(api, store):
    c = api()
    task = c.get("task/", params={"view": "inbox"}).json()["data"][0]
    other = store.users()[1]
    r = c.put(f"task/{task['id']}/", json={"assigned_to": other["id"], "date": "2026-12-24"})
    updated = r.json()
    assert r.status_code == 200
    assert updated["assigned_to"] == other["id"] and updated["assigned_to_name"] == "Priya Raman"
    assert updated["date"] == "2026-12-24" and updated["view"] == "future" and updated["is_dateless"] is False
    assert updated["text"] == task["text"] and updated["date_created"] == task["date_created"]
    assert updated["updated_by"] == me(store)["id"] and updated["date_updated"] == "2026-11-28T12:00:00.000000+00:00"
    assert set(updated) == set(task)
    assert c.put(f"task/{task['id']}/", json={"text": "New text"}).json()["text"] == "New text"


def test_update_refuses_text_on_other_types_and_unknown_fields(api):
    c = api()
    call = c.get("task/", params={"_type": "missed_call"}).json()["data"][0]
    assert "text" in field_errors(c.put(f"task/{call['id']}/", json={"text": "x"}))
    assert field_errors(c.put(f"task/{call['id']}/", json={"lead_id": "lead_x"})) == {
        "lead_id": "This field cannot be updated."
    }
    assert "date" in field_errors(c.put(f"task/{call['id']}/", json={"date": None}))
    assert "is_complete" in field_errors(c.put(f"task/{call['id']}/", json={"is_complete": "true"}))
    assert c.put(f"task/{call['id']}/", json={"is_complete": True}).json()["view"] == "archive"
    assert c.get(f"task/{call['id']}/").json()["phone"] == call["phone"]  # type fields kept


def test_failed_update_changes_nothing(api):
    c = api()
    task = c.get("task/", params={"view": "inbox"}).json()["data"][0]
    c.put(f"task/{task['id']}/", json={"is_complete": True, "bogus": 1})
    assert c.get(f"task/{task['id']}/").json() == task


# --- bulk PUT /task/?filters ---------------------------------------------------------------


def test_bulk_update_by_ids_and_the_lead_only_default(api, store):
    c = api()
    tasks = c.get("task/", params={"_type": "all", "view": "inbox", "_limit": 100}).json()["data"]
    lead_tasks = [t["id"] for t in tasks if t["_type"] == "lead"][:3]
    others = [t["id"] for t in tasks if t["_type"] != "lead"][:2]
    ids = ",".join(lead_tasks + others)
    r = c.put("task/", params={"id__in": ids}, json={"is_complete": True})
    assert r.status_code == 200 and r.json() == {}
    done = {t["id"] for t in c.get("task/", params={"_type": "all", "id__in": ids}).json()["data"] if t["is_complete"]}
    assert done == set(lead_tasks)  # without _type, only the lead tasks changed (the seed page)
    c.put(
        "task/",
        params={"id__in": ids, "_type": "all"},
        json={"is_complete": True, "assigned_to": store.users()[1]["id"]},
    )
    after = c.get("task/", params={"_type": "all", "id__in": ids}).json()["data"]
    assert all(t["is_complete"] and t["assigned_to_name"] == "Priya Raman" for t in after) and len(after) == 5


def test_bulk_update_by_filter_and_date(api, store):
    c = api()
    mine = {"_type": "all", "assigned_to": me(store)["id"], "view": "inbox"}
    count = len(c.get("task/", params=mine).json()["data"])
    assert c.put("task/", params=mine, json={"date": "2026-12-07"}).status_code == 200
    assert c.get("task/", params=mine).json()["data"] == []
    moved = c.get(
        "task/", params={**mine, "view": "future", "date__lte": "2026-12-07", "date__gte": "2026-12-07"}
    ).json()["data"]
    assert len([t for t in moved if t["date"] == "2026-12-07"]) == count


@pytest.mark.parametrize("params", [{}, {"_type": "all"}, {"_limit": 5, "_order_by": "date"}])
def test_bulk_update_without_a_filter_is_refused(api, params):
    c = api()
    before = c.get("task/", params={"_type": "all"}).json()
    assert errors(c.put("task/", params=params, json={"is_complete": True}))
    assert c.get("task/", params={"_type": "all"}).json() == before


def test_bulk_update_refuses_text(api):
    c = api()
    task = c.get("task/").json()["data"][0]
    assert "text" in field_errors(c.put("task/", params={"id": task["id"]}, json={"text": "x"}))


# --- DELETE, 404, 405, 401 ---------------------------------------------------------------------


def test_delete(api):
    c = api()
    task = c.get("task/").json()["data"][0]
    r = c.delete(f"task/{task['id']}/")
    assert r.status_code == 200 and r.json() == {}
    gone = {"error": "Empty query: Task matching query does not exist."}
    for method in ("GET", "PUT", "DELETE"):
        r = c.request(method, f"task/{task['id']}/", json={"is_complete": True} if method == "PUT" else None)
        assert r.status_code == 404 and r.json() == gone


@pytest.mark.parametrize("path", ["task", "task/x/y/", "tasks/", "me", "lead/", "nothing/", "../task/"])
def test_unknown_paths_are_404_json(api, path):
    r = api().get(path)
    assert r.status_code == 404 and "error" in r.json()


@pytest.mark.parametrize(
    ("method", "path"), [("DELETE", "task/"), ("POST", "me/"), ("PATCH", "task/"), ("POST", "user/")]
)
def test_wrong_methods_are_405(api, method, path):
    r = api().request(method, path)
    assert r.status_code == 405 and "error" in r.json()


@pytest.mark.parametrize("key", [None, "api_wrong", ""])
def test_wrong_or_missing_key_is_401(store, key):
    c = client_for(SandboxApp(store, clock=lambda: NOW), key)
    r = c.get("task/")
    assert r.status_code == 401 and r.json() == {"error": UNAUTHORIZED}
    assert r.json()["error"].startswith("The server could not verify that you are authorized")


def test_bearer_or_key_as_password_is_401(store):
    c = client_for(SandboxApp(store), None)
    assert c.get("task/", headers={"Authorization": f"Bearer {store.api_key}"}).status_code == 401
    assert c.get("task/", auth=("", store.api_key)).status_code == 401


def test_max_skip_refuses_a_deeper_page_in_closes_words(store):
    c = client_for(SandboxApp(store, clock=lambda: NOW, max_skip=5), store.api_key)
    assert c.get("task/", params={"_type": "all", "_skip": 5, "_limit": 1}).status_code == 200
    r = c.get("task/", params={"_type": "all", "_skip": 6, "_limit": 1})
    assert r.status_code == 400
    assert r.json()["errors"] == [
        "The skip you set is larger than the maximum skip for this resource (max_skip = 5). "
        "Please refine your search query."
    ]


def test_api_key_override(store):
    app = SandboxApp(store, api_key="api_override")
    assert client_for(app, "api_override").get("me/").status_code == 200
    assert client_for(app, store.api_key).get("me/").status_code == 401


# --- users and leads -------------------------------------------------------------------------


def test_me(api, store):
    body = api().get("me/").json()
    assert body["id"] == me(store)["id"] and body["email"] == "alex.morgan@brightwater.example"
    assert body["first_name"] == "Alex" and body["last_name"] == "Morgan"
    assert body["organizations"] == [{"id": store.organization()["id"], "name": "Brightwater Sales"}]


def test_users(api, store):
    c = api()
    page = c.get("user/").json()
    assert page["has_more"] is False and len(page["data"]) == 3
    assert all({"id", "email", "first_name", "last_name"} <= set(u) for u in page["data"])
    assert c.get("user/", params={"_limit": 2}).json()["has_more"] is True
    assert c.get(f"user/{page['data'][1]['id']}/").json() == page["data"][1]
    assert c.get("user/user_nope/").status_code == 404


def test_lead(api, store):
    c = api()
    lead = a_lead(store)
    body = c.get(f"lead/{lead['id']}/").json()
    assert body["id"] == lead["id"] and body["name"] == body["display_name"] == lead["name"]
    assert body["status_label"] and body["url"] == f"https://app.close.com/lead/{lead['id']}/"
    r = c.get("lead/lead_nope/")
    assert r.status_code == 404 and r.json() == {"error": "Empty query: Lead matching query does not exist."}


def test_every_type_carries_its_fields(api):
    tasks = api().get("task/", params={"_type": "all"}).json()["data"]
    for kind, fields in TYPE_FIELDS.items():
        if kind == "outgoing_call":
            continue  # known to filters, never seeded
        sample = [t for t in tasks if t["_type"] == kind]
        assert sample, kind
        for task in sample:
            assert set(fields) <= set(task), (kind, set(fields) - set(task))
            open_lead = kind == "lead" and not task["is_complete"]  # a completed one points at its activity
            assert (task["object_type"] is None) == open_lead
            assert (task["object_id"] is None) == open_lead
