"""Demo data (deterministic, realistic, big) and the embedded transport behind --sandbox."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from closetask.sandbox import embedded
from closetask.sandbox.faults import Faults
from closetask.sandbox.model import TASK_TYPES
from closetask.sandbox.seed import COMPANIES, reset
from closetask.sandbox.store import Store, TaskFilter

from sandbox_helpers import NOW, me


def everything(store: Store) -> list[dict]:
    tasks, has_more = store.find(TaskFilter(types=None), limit=100)
    assert not has_more
    return tasks


def test_same_seed_and_day_give_the_same_tasks():
    a, b, c = Store(), Store(), Store()
    reset(a, seed=5, now=NOW)
    reset(b, seed=5, now=NOW)
    reset(c, seed=6, now=NOW)
    assert everything(a) == everything(b)
    assert [t["id"] for t in everything(a)] != [t["id"] for t in everything(c)]
    assert a.users() == c.users() and a.leads() == c.leads()  # people keep their IDs


def test_reset_keeps_the_key_and_replaces_the_tasks(store):
    key, ids = store.api_key, {t["id"] for t in everything(store)}
    summary = reset(store, tasks=30, seed=2, now=NOW)
    assert summary["api_key"] == key == store.api_key and summary["tasks"] == 30
    assert store.count_tasks() == 30 and not ids & {t["id"] for t in everything(store)}


def test_demo_looks_real(store):
    tasks = everything(store)
    assert {t["_type"] for t in tasks} == set(TASK_TYPES) - {"outgoing_call"}  # known, never seeded
    assert len(store.leads()) == 40 and {lead["name"] for lead in store.leads()} == set(COMPANIES)
    assert len({t["lead_id"] for t in tasks}) > 20
    users = store.users()
    assert len(users) == 3 and len({u["email"].split("@")[1] for u in users}) == 1
    assert all(t["lead_name"] for t in tasks)
    days = {t["date"][:10] for t in tasks}
    assert min(days) < "2026-11-28" < max(days)  # overdue and future around NOW
    assert any(len(t["date"]) == 10 for t in tasks) and any("T" in t["date"] for t in tasks)
    assert all(t["date_created"] <= "2026-11-28T12:00:00" for t in tasks)


@pytest.mark.parametrize("hours", [-8, 0, 5.5, 13])
def test_demo_is_dated_in_the_local_day_of_now(hours):
    local_now = NOW.astimezone(timezone(timedelta(hours=hours)))
    s = Store()
    reset(s, now=local_now)
    today = local_now.date().isoformat()
    assert any(t["date"] == today for t in everything(s))


@pytest.mark.e2e
def test_cli_reset_100000_tasks(cli, tmp_path):
    from closetask.sandbox.app import SandboxApp

    from sandbox_helpers import client_for

    db = tmp_path / "big.sqlite3"
    result = cli("sandbox", "reset", "--db", str(db), "--tasks", "100000", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "100000 tasks" in result.stderr and result.stdout == ""
    store = Store(db)
    assert store.count_tasks() == 100000
    c = client_for(SandboxApp(store), store.api_key, "-8")
    page = c.get(
        "task/", params={"view": "inbox", "_type": "all", "assigned_to": me(store)["id"], "_limit": 100}
    ).json()
    assert len(page["data"]) == 100 and page["has_more"] is True
    deep = c.get("task/", params={"_type": "all", "_skip": 99950, "_limit": 100}).json()
    assert len(deep["data"]) == 50 and deep["has_more"] is False
    store.close()


def test_embedded_transport_seeds_once(tmp_path, monkeypatch):
    # api_key() seeds the database before transport() gets `now`: fix the clock for both,
    # or the demo data would be dated around the real today and the inbox at NOW empty.
    monkeypatch.setenv("CLOSETASK_NOW", NOW.isoformat())
    db = tmp_path / "data" / "sandbox.sqlite3"
    key = embedded.api_key(db)
    assert db.exists() and key.startswith("api_")
    with httpx.Client(transport=embedded.transport(db, now=NOW), base_url=embedded.BASE_URL, auth=(key, "")) as c:
        inbox = c.get("task/", params={"view": "inbox", "_type": "all"}).json()["data"]
        assert inbox
        c.delete(f"task/{inbox[0]['id']}/")
    with httpx.Client(transport=embedded.transport(db, now=NOW), base_url=embedded.BASE_URL, auth=(key, "")) as c:
        assert c.get("me/").status_code == 200
        assert len(c.get("task/", params={"_type": "all"}).json()["data"]) == 59  # not reseeded
    assert embedded.api_key(db) == key


def test_embedded_transport_turns_a_reset_into_an_httpx_error(tmp_path):
    db = tmp_path / "s.sqlite3"
    t = embedded.transport(db, now=NOW, faults=Faults(fail_rate=1.0, fail_mode="reset"))
    with httpx.Client(transport=t, base_url=embedded.BASE_URL, auth=(embedded.api_key(db), "")) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            c.get("me/")


def test_embedded_uses_closetask_now(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOSETASK_NOW", "2026-11-28T23:30:00-08:00")
    db = tmp_path / "s.sqlite3"
    with httpx.Client(
        transport=embedded.transport(db), base_url=embedded.BASE_URL, auth=(embedded.api_key(db), "")
    ) as c:
        task = c.post("task/", json={"lead_id": Store(db).leads()[0]["id"]}, headers={"X-TZ-Offset": "-8"}).json()
    assert task["date"] == "2026-11-28" and task["date_created"].startswith("2026-11-29T07:30:00")


@pytest.mark.parametrize("round_", range(8))  # the race is won differently each time
def test_processes_racing_to_seed_one_file_seed_it_once(tmp_path, round_):
    """Six first uses of one new file at once: no "database is locked" (switching a new
    file to WAL does not wait for the busy timeout: Store retries it), one seeding."""
    db = tmp_path / "shared.sqlite3"
    keys, errors = [], []

    def first_use() -> None:
        try:
            store = embedded.open_store(db, now=NOW)  # a connection of its own, like a process
            keys.append(store.api_key)
            store.close()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(keys)) == 1
    assert Store(db).count_tasks() == 60


def test_two_connections_write_the_same_file(tmp_path):
    db = tmp_path / "shared.sqlite3"
    a = embedded.open_store(db, now=NOW)
    b = Store(db)
    ids = [t["id"] for t in a.find(TaskFilter(types=None, is_complete=False), limit=20)[0]]
    stamp = datetime(2026, 11, 28, 12, tzinfo=timezone.utc).isoformat()

    def complete(store: Store, part: list[str]) -> None:
        for task_id in part:
            store.update_task(task_id, {"is_complete": True}, stamp=stamp, user_id="user_x")

    threads = [threading.Thread(target=complete, args=(s, ids[i::2])) for i, s in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(b.task(i)["is_complete"] for i in ids)
