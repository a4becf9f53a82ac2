"""A stateful fake of Close's task endpoints behind httpx.MockTransport, for the action, undo
and bulk tests (route commands to it with the `route_clients` fixture of tests/conftest.py).

It records every request exactly as sent and keeps the rules these tests rely on:
- without `_type` a listing or bulk PUT sees lead tasks only (Close's surprising default), so
  a missing `_type=all` shows up as a bug;
- listings apply the filters the commands send (`_type`, `_type__in`, `id__in`, `assigned_to`,
  `lead_id`, `is_complete`, `view`, `date__lt`/`date__gte` on the task's UTC day,
  `date_created__*`), sort by date, and page with `_skip`/`_limit`, trimmed to `_fields`;
- a bulk PUT takes assigned_to/date/is_complete only and is refused without `id__in`, as the
  real one refuses an unfiltered bulk update;
- a single PUT also takes `text`, on lead tasks only; POST creates and DELETE deletes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

KEY = "api_ActionsKey0123456789.SECRETsecret"
ME_ID = "user_RitaRep0123456789abcdefghij"
JANE_ID = "user_JaneDoe0123456789abcdefghi"
ME = {
    "id": ME_ID,
    "email": "rep@example.com",
    "first_name": "Rita",
    "last_name": "Rep",
    "organizations": [{"id": "orga_1", "name": "Acme Corp"}],
}
USERS = [
    {"id": ME_ID, "email": "rep@example.com", "first_name": "Rita", "last_name": "Rep"},
    {"id": JANE_ID, "email": "jane@example.com", "first_name": "Jane", "last_name": "Doe"},
]
LEAD_ID = "lead_Acme0123456789abcdefghijk"
TODAY = "2026-11-28"
TYPES = ("lead", "email_followup", "missed_call", "incoming_email")


def tid(n: int) -> str:
    return f"task_T{n:04d}abcdefghijklmnop"


def make_task(n: int, **over: Any) -> dict[str, Any]:
    """Task n: a lead task of mine, incomplete, due today."""
    task = {
        "id": tid(n),
        "_type": "lead",
        "lead_id": LEAD_ID,
        "lead_name": "Acme Corp",
        "contact_id": None,
        "contact_name": None,
        "text": f"Task {n}",
        "date": TODAY,
        "due_date": None,
        "is_dateless": False,
        "is_complete": False,
        "view": "inbox",
        "assigned_to": ME_ID,
        "assigned_to_name": "Rita Rep",
        "created_by": ME_ID,
        "created_by_name": "Rita Rep",
        "updated_by": ME_ID,
        "updated_by_name": "Rita Rep",
        "organization_id": "orga_1",
        "object_type": None,
        "object_id": None,
        "date_created": "2026-11-20T09:00:00+00:00",
        "date_updated": "2026-11-20T09:00:00+00:00",
    }
    task.update(over)
    return task


def overdue_task(n: int, **over: Any) -> dict[str, Any]:
    """Task n: an overdue (1 Nov), incomplete task of mine; its type cycles through TYPES."""
    kind = over.pop("_type", TYPES[n % len(TYPES)])
    overdue = {
        "_type": kind,
        "text": f"Task {n}" if kind == "lead" else None,
        "subject": f"Re: thread {n}" if "email" in kind else None,
        "date": "2026-11-01",
        "date_created": "2026-10-20T09:00:00+00:00",
        "date_updated": "2026-10-20T09:00:00+00:00",
    }
    return make_task(n, **{**overdue, **over})


@dataclass
class Sent:
    method: str
    path: str
    params: dict[str, str]
    body: Any

    def line(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


@dataclass
class FakeTaskApi:
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    # Called with each request before it is handled; may return a Response to answer instead.
    hook: Callable[[Sent], httpx.Response | None] | None = None
    created: int = 0

    def add(self, *tasks: dict[str, Any]) -> FakeTaskApi:
        for task in tasks:
            self.tasks[task["id"]] = copy.deepcopy(task)
        return self

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def lines(self, method: str | None = None) -> list[str]:
        return [s.line() for s in self.sent if method is None or s.method == method]

    def changes(self) -> list[Sent]:
        return [s for s in self.sent if s.method != "GET"]

    def puts(self) -> list[Sent]:
        return [s for s in self.sent if s.method == "PUT"]

    def complete_ids(self) -> set[str]:
        return {i for i, t in self.tasks.items() if t["is_complete"]}

    # --- the server -----------------------------------------------------------------------

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        path = request.url.path.removeprefix("/api/v1/")
        params = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        body = json.loads(request.content) if request.content else None
        sent = Sent(request.method, path, params, body)
        self.sent.append(sent)
        self.headers.append(dict(request.headers))
        if self.hook is not None:
            answer = self.hook(sent)
            if answer is not None:
                return answer
        return self.route(sent)

    def route(self, s: Sent) -> httpx.Response:
        if s.path == "me/" and s.method == "GET":
            return httpx.Response(200, json=ME)
        if s.path == "user/" and s.method == "GET":
            return httpx.Response(200, json={"data": USERS, "has_more": False})
        if s.path == "task/":
            return {"GET": self.list, "PUT": self.bulk_put, "POST": self.create}[s.method](s)
        if s.path.startswith(("task/task_", "task/noti_")):
            task_id = s.path.split("/")[1]
            if task_id not in self.tasks:
                return httpx.Response(404, json={"error": "Empty query: Task matching query does not exist."})
            return {"GET": self.get, "PUT": self.put, "DELETE": self.delete}[s.method](s, task_id)
        return httpx.Response(404, json={"error": "not found"})

    def select(self, p: dict[str, str]) -> list[dict[str, Any]]:
        tasks = sorted(self.tasks.values(), key=lambda t: (t["date"], t["id"]))
        kind = p.get("_type")
        if "_type__in" in p:
            tasks = [t for t in tasks if t["_type"] in p["_type__in"].split(",")]
        elif kind is None:
            tasks = [t for t in tasks if t["_type"] == "lead"]
        elif kind != "all":
            tasks = [t for t in tasks if t["_type"] == kind]
        if "id__in" in p:
            wanted = set(p["id__in"].split(","))
            tasks = [t for t in tasks if t["id"] in wanted]
        if "assigned_to" in p:
            tasks = [t for t in tasks if t["assigned_to"] == p["assigned_to"]]
        if "lead_id" in p:
            tasks = [t for t in tasks if t["lead_id"] == p["lead_id"]]
        if "is_complete" in p:
            tasks = [t for t in tasks if t["is_complete"] == (p["is_complete"] == "true")]
        view = p.get("view")
        if view == "inbox":
            tasks = [t for t in tasks if not t["is_complete"] and t["date"][:10] <= TODAY]
        elif view == "future":
            tasks = [t for t in tasks if not t["is_complete"] and t["date"][:10] > TODAY]
        elif view == "archive":
            tasks = [t for t in tasks if t["is_complete"]]
        if "date__lt" in p:
            tasks = [t for t in tasks if t["date"][:10] < p["date__lt"]]
        if "date__gte" in p:
            tasks = [t for t in tasks if t["date"][:10] >= p["date__gte"]]
        if "date_created__gte" in p:
            tasks = [t for t in tasks if t["date_created"] >= p["date_created__gte"]]
        if "date_created__lt" in p:
            tasks = [t for t in tasks if t["date_created"] < p["date_created__lt"]]
        if p.get("_order_by") == "date_created":  # a full listing, read by ranges
            tasks.sort(key=lambda t: (t["date_created"], t["id"]))
        return tasks

    def list(self, s: Sent) -> httpx.Response:
        tasks = self.select(s.params)
        skip, limit = int(s.params.get("_skip", 0)), int(s.params.get("_limit", 100))
        page = tasks[skip : skip + limit]
        if "_fields" in s.params:
            keep = s.params["_fields"].split(",")
            page = [{k: v for k, v in t.items() if k in keep} for t in page]
        return httpx.Response(200, json={"data": page, "has_more": len(tasks) > skip + limit})

    def get(self, s: Sent, task_id: str) -> httpx.Response:
        return httpx.Response(200, json=self.tasks[task_id])

    def _apply(self, task: dict[str, Any], body: dict[str, Any]) -> None:
        task.update(body)
        if "is_complete" in body:
            task["view"] = "archive" if body["is_complete"] else "inbox"
        if "assigned_to" in body:
            task["assigned_to_name"] = {u["id"]: u["first_name"] + " " + u["last_name"] for u in USERS}.get(
                body["assigned_to"]
            )

    def put(self, s: Sent, task_id: str) -> httpx.Response:
        task = self.tasks[task_id]
        bad = set(s.body) - {"assigned_to", "date", "is_complete", "text"}
        if "text" in s.body and task["_type"] != "lead":
            bad.add("text")
        if bad:
            return httpx.Response(400, json={"errors": [], "field-errors": {k: "Not allowed." for k in bad}})
        self._apply(task, s.body)
        return httpx.Response(200, json=task)

    def bulk_put(self, s: Sent) -> httpx.Response:
        if "id__in" not in s.params:
            return httpx.Response(400, json={"errors": ["refusing a bulk update without a filter"], "field-errors": {}})
        bad = set(s.body) - {"assigned_to", "date", "is_complete"}
        if bad:
            return httpx.Response(400, json={"errors": [], "field-errors": {k: "Not allowed." for k in bad}})
        for task in self.select(s.params):
            self._apply(task, s.body)
        return httpx.Response(200, json={})

    def create(self, s: Sent) -> httpx.Response:
        self.created += 1
        task = make_task(
            9000 + self.created,
            text=s.body.get("text", ""),
            lead_id=s.body["lead_id"],
            date=s.body.get("date", TODAY),
            assigned_to=s.body.get("assigned_to", ME_ID),
        )
        self.tasks[task["id"]] = task
        return httpx.Response(200, json=task)

    def delete(self, s: Sent, task_id: str) -> httpx.Response:
        del self.tasks[task_id]
        return httpx.Response(200, json={})


# --- what the commands wrote beside the requests ----------------------------------------


def journal_records(path: Path) -> list[dict[str, Any]]:
    """The journal's raw records (entries and marks), as written."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def journal_entries(path: Path) -> list[Any]:
    """The journal folded as undo reads it (JournalEntry objects, oldest first)."""
    from closetask.state.journal import UndoJournal

    return UndoJournal(path).entries()
