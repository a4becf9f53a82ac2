"""The sandbox's task objects against what real Close sent (tests/recorded/), type by type.

A script tried on the sandbox must meet the same keys, IDs and pointers as on Close: every
key a recording of a type has, none of the keys the recordings show absent, the recorded key
order, and the IDs' prefixes and lengths. Types with no recording follow close-api.md and are
checked only for what the recordings establish for every system task (noti_ IDs, no date keys).
"""

from __future__ import annotations

import re

import pytest

from closetask.sandbox.model import TASK_TYPES

from recorded_close import TASK_SAMPLES, recorded, recorded_tasks
from sandbox_helpers import a_lead, add

BODY = r"[0-9A-Za-z]{43}"  # base62, 43 characters: every recorded task, noti, lead, user, acti ID
SEEDED_SYSTEM_TYPES = [t for t in TASK_TYPES if t not in ("lead", "outgoing_call")]  # outgoing_call: never seeded
# Recorded absent on system tasks (incoming_sms keeps `text`: it is the message, close-api.md).
ABSENT_ON_SYSTEM = {"due_date", "is_dateless", "text"}
ABSENT = {"opportunity_due": {"opportunity_value_currency"}}


def all_tasks(c) -> list[dict]:
    r = c.get("task/", params={"_type": "all", "_limit": 1000})
    assert r.status_code == 200, r.text
    assert r.json()["has_more"] is False
    return r.json()["data"]


def of_type(c, kind: str, *, complete: bool | None = None) -> list[dict]:
    found = [t for t in all_tasks(c) if t["_type"] == kind and (complete is None or t["is_complete"] is complete)]
    assert found, (kind, complete)
    return found


def assert_id(value: str, prefix: str) -> None:
    assert re.fullmatch(rf"{prefix}_{BODY}", value), (prefix, value)


def test_the_recordings_hold_what_these_tests_assume():
    """The facts below come from these files; if a recording changes, so must the sandbox."""
    for task in recorded_tasks():
        assert_id(task["id"], "task" if task["_type"] == "lead" else "noti")
        for key in ("lead_id", "assigned_to", "created_by", "updated_by"):
            assert_id(task[key], key[:4] if key == "lead_id" else "user")
        if task["_type"] != "lead":
            assert not ABSENT_ON_SYSTEM & set(task)
    assert recorded("task_lead_closex_create_complete.json")["object_type"] == "taskcompleted"
    assert "opportunity_value_currency" not in recorded("task_opportunity_due_airbyte_1.json")


@pytest.mark.parametrize(
    ("name", "kind", "complete"),
    [
        ("task_lead_closex_create.json", "lead", False),
        ("task_lead_closex_create_complete.json", "lead", True),
        ("task_email_followup_airbyte_1.json", "email_followup", False),
        ("task_opportunity_due_airbyte_1.json", "opportunity_due", False),
    ],
)
def test_seeded_tasks_carry_the_recorded_keys_in_the_recorded_order(api, name, kind, complete):
    sample = recorded(name)
    wanted = list(sample)
    for task in of_type(api(), kind, complete=complete):
        assert list(task)[: len(wanted)] == wanted, (kind, set(wanted) ^ set(task))  # newer fields may follow
        assert not ABSENT.get(kind, set()) & set(task)
        if kind != "lead":
            assert not ABSENT_ON_SYSTEM & set(task)
        assert task["object_type"] == sample["object_type"]
        assert task["view"] == ("archive" if complete else task["view"])
        assert task["created_by"] and task["updated_by"]


def test_every_recorded_type_is_checked():
    assert set(TASK_SAMPLES) == {"lead", "email_followup", "opportunity_due"}


@pytest.mark.parametrize("kind", SEEDED_SYSTEM_TYPES)
def test_every_seeded_system_task_is_a_noti_without_date_keys(api, kind):
    for task in of_type(api(), kind):
        assert_id(task["id"], "noti")
        absent = ABSENT_ON_SYSTEM - {"text"} if kind == "incoming_sms" else ABSENT_ON_SYSTEM
        assert not absent & set(task), (kind, absent & set(task))
        assert {"is_new", "priority", "deduplication_key"}.isdisjoint(task)  # not recorded on system tasks
        assert_id(task["created_by"], "user")
    if kind == "incoming_sms":
        assert all(t["text"] for t in of_type(api(), kind))


def test_ids_and_pointers_look_like_closes(api):
    tasks = all_tasks(api())
    assert {t["_type"] for t in tasks} == set(SEEDED_SYSTEM_TYPES) | {"lead"}
    for task in tasks:
        assert_id(task["id"], "task" if task["_type"] == "lead" else "noti")
        assert_id(task["lead_id"], "lead")
        if task["contact_id"]:
            assert_id(task["contact_id"], "cont")
        if task["object_id"] is not None:
            assert_id(task["object_id"], "oppo" if task["_type"] == "opportunity_due" else "acti")
    followup = of_type(api(), "email_followup")[0]
    assert_id(followup["email_id"], "acti")
    assert followup["object_id"] != followup["email_id"]  # recorded: the thread's and the email's own


def test_opportunity_values_are_cents_with_a_period(api):
    for task in of_type(api(), "opportunity_due"):
        assert isinstance(task["opportunity_value"], int)
        assert task["opportunity_value_formatted"] == f"${task['opportunity_value'] // 100:,}"
        assert task["opportunity_value_period"] in ("one_time", "monthly", "annual")


def test_completed_lead_tasks_point_at_a_completion_activity(api):
    done = of_type(api(), "lead", complete=True)
    assert len({t["object_id"] for t in done}) == len(done)  # one activity each
    for task in done:
        assert task["object_type"] == "taskcompleted" and task["view"] == "archive"
        assert_id(task["object_id"], "acti")
    for task in of_type(api(), "lead", complete=False):
        assert task["object_type"] is None and task["object_id"] is None


def test_put_completes_and_reopens_a_lead_task(api):
    c = api()
    task = of_type(c, "lead", complete=False)[0]
    done = c.put(f"task/{task['id']}/", json={"is_complete": True}).json()
    assert done["object_type"] == "taskcompleted" and done["view"] == "archive"
    assert_id(done["object_id"], "acti")
    again = c.put(f"task/{task['id']}/", json={"is_complete": True}).json()
    assert again["object_id"] == done["object_id"]  # already complete: the same activity
    assert c.get(f"task/{task['id']}/").json() == again
    reopened = c.put(f"task/{task['id']}/", json={"is_complete": False}).json()
    assert reopened["object_type"] is None and reopened["object_id"] is None  # not recorded; see the docs
    assert list(reopened)[:23] == list(recorded("task_lead_closex_create.json"))


def test_bulk_put_completes_and_reopens_lead_tasks(api, store):
    c = api()
    leads = [t["id"] for t in of_type(c, "lead", complete=False)[:5]]
    system = [t["id"] for t in of_type(c, "email_followup", complete=False)[:2]]
    ids = ",".join(leads + system)
    assert c.put("task/", params={"id__in": ids, "_type": "all"}, json={"is_complete": True}).status_code == 200
    got = {t["id"]: t for t in c.get("task/", params={"id__in": ids, "_type": "all"}).json()["data"]}
    activities = set()
    for task_id in leads:
        assert got[task_id]["object_type"] == "taskcompleted" and got[task_id]["view"] == "archive"
        assert_id(got[task_id]["object_id"], "acti")
        activities.add(got[task_id]["object_id"])
    assert len(activities) == len(leads)  # a fresh activity per task, from one UPDATE
    for task_id in system:  # a system task keeps what it points at
        assert got[task_id]["object_type"] == "emailthread" and got[task_id]["is_complete"] is True
        assert_id(got[task_id]["object_id"], "acti")
    assert c.put("task/", params={"id__in": ids, "_type": "all"}, json={"is_complete": False}).status_code == 200
    got = {t["id"]: t for t in c.get("task/", params={"id__in": ids, "_type": "all"}).json()["data"]}
    assert all(got[i]["object_type"] is None and got[i]["object_id"] is None for i in leads)
    assert all(got[i]["object_type"] == "emailthread" for i in system)
    assert store.task(leads[0])["object_type"] is None


def test_a_task_created_complete_points_at_its_activity(api, store):
    task = add(api(), a_lead(store)["id"], "2026-11-20", is_complete=True)
    assert task["object_type"] == "taskcompleted" and task["view"] == "archive"
    assert_id(task["object_id"], "acti")


@pytest.mark.parametrize("kind", ["email_followup", "opportunity_due", "missed_call"])
def test_noti_ids_work_everywhere_a_task_id_goes(api, kind):
    c = api()
    task = of_type(c, kind, complete=False)[0]
    assert c.get(f"task/{task['id']}/").json()["id"] == task["id"]
    assert [t["id"] for t in c.get("task/", params={"id": task["id"], "_type": "all"}).json()["data"]] == [task["id"]]
    updated = c.put(f"task/{task['id']}/", json={"date": "2026-12-01"}).json()
    assert updated["date"] == "2026-12-01" and "due_date" not in updated and "is_dateless" not in updated
    assert c.put("task/", params={"id__in": task["id"], "_type": "all"}, json={"is_complete": True}).status_code == 200
    assert c.get(f"task/{task['id']}/").json()["is_complete"] is True
    assert c.delete(f"task/{task['id']}/").status_code == 200
    assert c.get(f"task/{task['id']}/").status_code == 404


def test_limit_1000_is_accepted(api):
    assert api().get("task/", params={"_limit": 1000}).status_code == 200
    r = api().get("task/", params={"_limit": 1001})
    assert r.status_code == 400 and any("max_limit = 1000" in e for e in r.json()["errors"])


def test_users_list_their_organizations_as_ids_like_close(api):
    c = api()
    recorded_user = recorded("users_list_closex_2017.json")["data"][0]
    org_id = c.get("me/").json()["organizations"][0]["id"]
    users = c.get("user/").json()["data"]
    assert users and all(u["organizations"] == [org_id] for u in users)
    assert list(users[0])[0] == list(recorded_user)[0] == "organizations"
    one = c.get(f"user/{users[0]['id']}/").json()
    assert one["organizations"] == [org_id]
