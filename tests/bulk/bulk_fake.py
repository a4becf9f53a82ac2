"""A stateful fake of Close's task endpoints for the bulk tests, behind httpx.MockTransport.

It records every request exactly as sent and applies the filters `bulk` sends (`_type`,
`_type__in`, `id__in`, `assigned_to`, `is_complete`, `view`, `date__lt`/`date__gte` on the
task's UTC day, `lead_id`, `date_created__*`, `_fields`, paging), and refuses a bulk PUT
without `id__in`, as the real one refuses an unfiltered bulk update. Without `_type` only lead
tasks are seen (Close's surprising default), so a missing `_type=all` shows up as a bug.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

KEY = "api_BulkKey0123456789abcdef.SECRETbulkKEY"
ME_ID = "user_RitaRep0123456789abcdefghij"
JANE_ID = "user_JaneDoe0123456789abcdefghi"
ME = {"id": ME_ID, "email": "rep@example.com", "first_name": "Rita", "last_name": "Rep", "organizations": []}
USERS = [
    {"id": ME_ID, "email": "rep@example.com", "first_name": "Rita", "last_name": "Rep"},
    {"id": JANE_ID, "email": "jane@example.com", "first_name": "Jane", "last_name": "Doe"},
]
LEAD_ID = "lead_Acme0123456789abcdefghijk"
TODAY = "2026-11-28"
TYPES = ("lead", "email_followup", "missed_call", "incoming_email")


def tid(n: int) -> str:
    return f"task_B{n:05d}abcdefghijklmnop"


def make_task(n: int, **over: Any) -> dict[str, Any]:
    """Task n: an overdue, incomplete task of mine; the type cycles through TYPES."""
    kind = over.pop("_type", TYPES[n % len(TYPES)])
    task = {
        "id": tid(n), "_type": kind, "lead_id": LEAD_ID, "lead_name": "Acme Corp",
        "text": f"Task {n}" if kind == "lead" else None, "subject": f"Re: thread {n}" if "email" in kind else None,
        "date": "2026-11-01", "is_complete": False, "assigned_to": ME_ID,
        "date_created": "2026-10-20T09:00:00+00:00", "date_updated": "2026-10-20T09:00:00+00:00",
    }  # fmt: skip
    task.update(over)
    return task


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
class FakeClose:
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    # Called with each request first; may return a Response to answer instead of the fake.
    hook: Callable[[Sent], httpx.Response | None] | None = None

    def add(self, *tasks: dict[str, Any]) -> FakeClose:
        for task in tasks:
            self.tasks[task["id"]] = copy.deepcopy(task)
        return self

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def lines(self, method: str | None = None) -> list[str]:
        return [s.line() for s in self.sent if method is None or s.method == method]

    def puts(self) -> list[Sent]:
        return [s for s in self.sent if s.method == "PUT"]

    def complete_ids(self) -> set[str]:
        return {i for i, t in self.tasks.items() if t["is_complete"]}

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
        if s.path == "me/":
            return httpx.Response(200, json=ME)
        if s.path == "user/":
            return httpx.Response(200, json={"data": USERS, "has_more": False})
        if s.path == "task/" and s.method == "GET":
            return self.list(s)
        if s.path == "task/" and s.method == "PUT":
            return self.bulk_put(s)
        if s.path.startswith("task/task_") and s.method == "PUT":
            task = self.tasks.get(s.path.split("/")[1])
            if task is None:
                return httpx.Response(404, json={"error": "not found"})
            task.update(s.body)
            return httpx.Response(200, json=task)
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
        return tasks

    def list(self, s: Sent) -> httpx.Response:
        tasks = self.select(s.params)
        skip, limit = int(s.params.get("_skip", 0)), int(s.params.get("_limit", 100))
        page = tasks[skip : skip + limit]
        if "_fields" in s.params:
            keep = s.params["_fields"].split(",")
            page = [{k: v for k, v in t.items() if k in keep} for t in page]
        return httpx.Response(200, json={"data": page, "has_more": len(tasks) > skip + limit})

    def bulk_put(self, s: Sent) -> httpx.Response:
        if "id__in" not in s.params:
            return httpx.Response(400, json={"errors": ["refusing a bulk update without a filter"]})
        bad = set(s.body) - {"assigned_to", "date", "is_complete"}
        if bad:
            return httpx.Response(400, json={"errors": [], "field-errors": {k: "Not allowed." for k in bad}})
        for task in self.select(s.params):
            task.update(s.body)
        return httpx.Response(200, json={})


def journal_entries(path) -> list[Any]:  # type: ignore[no-untyped-def]
    """The journal folded as undo reads it (JournalEntry objects, oldest first)."""
    from closetask.core.journal import UndoJournal

    return UndoJournal(path).entries()
