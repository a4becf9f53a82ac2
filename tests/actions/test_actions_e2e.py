"""The installed closetask against `closetask sandbox serve`: list, act by row number, undo, and
the server's own state checked over HTTP with the server's key after every step."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.e2e


def server_client(server) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, auth=(server.api_key, ""), timeout=10)


def task(server, task_id: str) -> dict:
    with server_client(server) as http:
        response = http.get(f"task/{task_id}/")
        response.raise_for_status()
        return response.json()


def other_user(server) -> dict:
    with server_client(server) as http:
        me = http.get("me/").json()
        users = http.get("user/").json()["data"]
    return next(u for u in users if u["id"] != me["id"])


def changes_logged(server, since: int) -> list[str]:
    """'METHOD path?query' of the non-GET requests logged after the first `since` lines."""
    lines = server.requests()[since:]
    return [line.rsplit(" ", 1)[0] for line in lines if not line.startswith("GET ")]


def query(line: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(line.split(" ", 1)[1]).query))


def test_list_done_reassign_undo_against_the_server(sandbox_server, run):
    server = sandbox_server
    # The table (forced into this pipe) gives its rows to the terminal the run counts as shown on.
    listing = run(server, "inbox", "--table", env={"COLUMNS": "100"})
    assert listing.exit_code == 0, listing.stderr
    ids = run(server, "inbox", "--ids").stdout.split()  # the table's order; --ids saves no rows
    assert len(ids) >= 3
    first, second, third = ids[0], ids[1], ids[2]
    before = {i: task(server, i) for i in (first, second, third)}
    assert not any(t["is_complete"] for t in before.values())

    # done 2: one read, one PUT on the task, and the server has it complete.
    mark = len(server.requests())
    done = run(server, "done", "2")
    assert done.exit_code == 0, done.stderr
    assert done.stderr.startswith("Completed 1 task: ")
    assert changes_logged(server, mark) == [f"PUT /api/v1/task/{second}/"]
    assert task(server, second)["is_complete"] is True

    # reassign 1 3 --assign-to EMAIL: one bulk PUT by ID with _type=all.
    jane = other_user(server)
    mark = len(server.requests())
    moved = run(server, "reassign", "1", "3", "--assign-to", jane["email"])
    assert moved.exit_code == 0, moved.stderr
    (put,) = changes_logged(server, mark)
    assert put.startswith("PUT /api/v1/task/?")
    assert query(put) == {"id__in": f"{first},{third}", "_type": "all"}
    assert task(server, first)["assigned_to"] == jane["id"]
    assert task(server, third)["assigned_to"] == jane["id"]

    # undo, twice: the reassignment, then the completion; the server is back where it was.
    listed = json.loads(run(server, "undo", "--list", "--json").stdout)
    assert [e["command"] for e in listed] == [f"reassign 1 3 --assign-to {jane['email']}", "done 2"]
    no_yes = run(server, "undo")
    assert no_yes.exit_code == 2
    assert task(server, first)["assigned_to"] == jane["id"]
    undone = run(server, "undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    for task_id in (first, third):
        assert task(server, task_id)["assigned_to"] == before[task_id]["assigned_to"]
    assert task(server, second)["is_complete"] is True
    assert run(server, "undo", "--yes").exit_code == 0
    after = {i: task(server, i) for i in (first, second, third)}
    for task_id in after:
        for field in ("is_complete", "assigned_to", "date", "text"):
            assert after[task_id].get(field) == before[task_id].get(field), (task_id, field)
    assert run(server, "undo", "--yes").stderr == "Nothing to undo.\n"


def test_ids_piped_into_done_and_snooze(sandbox_server, run):
    server = sandbox_server
    ids = run(server, "inbox", "--ids").stdout.split()
    assert len(ids) >= 4
    picked = ids[:4]
    mark = len(server.requests())
    snoozed = run(server, "snooze", "-", "tomorrow 9am", input="\n".join(picked) + "\n")
    assert snoozed.exit_code == 0, snoozed.stderr
    (put,) = changes_logged(server, mark)
    assert query(put) == {"id__in": ",".join(picked), "_type": "all"}
    assert {task(server, i)["date"] for i in picked} == {"2026-11-29T09:00:00+00:00"}
    done = run(server, "done", "-", "--json", input=" ".join(picked))
    assert done.exit_code == 0
    assert [t["id"] for t in json.loads(done.stdout)] == picked
    assert all(task(server, i)["is_complete"] for i in picked)


def test_add_edit_show_delete_and_undo_of_each(sandbox_server, run):
    server = sandbox_server
    listing = json.loads(run(server, "inbox", "--json").stdout)
    lead_task = next(t for t in listing if t["_type"] == "lead")
    other_type = next(t for t in listing if t["_type"] != "lead")

    added = run(
        server,
        "add",
        "Send the contract",
        "--lead",
        f"https://app.close.com/lead/{lead_task['lead_id']}/",
        "--date",
        "mon",
    )
    assert added.exit_code == 0, added.stderr
    new_id = added.stdout.strip()
    created = task(server, new_id)
    assert (created["text"], created["date"], created["lead_id"]) == (
        "Send the contract",
        "2026-11-30",
        lead_task["lead_id"],
    )

    shown = run(server, "show", new_id)
    assert shown.stdout.splitlines()[0] == "Send the contract"
    assert "Date         Mon 30 Nov 2026 (no time)" in shown.stdout.splitlines()

    refused = run(server, "edit", other_type["id"], "--text", "nope")
    assert refused.exit_code == 2
    assert "only lead tasks have text" in refused.stderr

    edited = run(server, "edit", new_id, "--text", "Send the signed contract", "--date", "2026-12-01 15:00")
    assert edited.exit_code == 0, edited.stderr
    assert task(server, new_id)["date"] == "2026-12-01T15:00:00+00:00"
    assert run(server, "undo", "--yes").exit_code == 0
    assert task(server, new_id)["text"] == "Send the contract"
    assert task(server, new_id)["date"] == "2026-11-30"
    assert run(server, "undo", "--yes").exit_code == 0  # the add: the task is deleted
    with server_client(server) as http:
        assert http.get(f"task/{new_id}/").status_code == 404

    victim = listing[-1]["id"]
    assert run(server, "delete", victim).exit_code == 2
    assert task(server, victim)["id"] == victim
    deleted = run(server, "delete", victim, "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    cannot = run(server, "undo", "--yes")
    assert cannot.exit_code == 1
    assert "Close cannot restore a deleted task" in cannot.stderr
