"""`closetask bulk` without the terminal: the selection, the plan and its summary.

Pure over a client object with `.paginate()` (core.listing). The flow a run follows:

1. `select_pages()` lists every task the query matches, one listing pass, `_fields` trimmed
   to what the preview and the before-state need (explicit IDs go in chunks of `id__in`, so a
   long list never makes a URL too long); `unique_tasks()` keeps each task once;
2. `BulkPlan.build()` keeps the ones that need the change (the rest are `skipped`);
3. `plan.requests()` are the bulk PUTs (`id__in` + `_type=all`, at most 100 IDs each) and
   `plan.before()` the journal's before-state, written before the first of them leaves.

Rerunning the same command after a partial failure finishes the job because the selection
filters on the state being changed (a completed task no longer matches `is_complete=false`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from closetask.core.changes import (
    CHUNK_SIZE,
    LABEL_FIELDS,
    ApplyResult,
    PlannedRequest,
    before_state,
    chunked,
    needs_change,
    plan_update,
)
from closetask.core.listing import PagingClient, iter_pages
from closetask.core.query import TaskQuery
from closetask.core.timezone import TimeZone

# What the preview shows and the before-state records; nothing else is fetched.
SELECT_FIELDS = tuple(dict.fromkeys(("id", "date", "is_complete", "assigned_to", *LABEL_FIELDS)))

Task = dict[str, Any]


def select_pages(
    client: PagingClient,
    query: TaskQuery,
    *,
    tz: TimeZone,
    today: date | None = None,
    page_size: int = 100,
    concurrency: int = 1,
    id_chunk: int = CHUNK_SIZE,
) -> Iterator[list[Task]]:
    """The pages of the selection, `_fields` trimmed to SELECT_FIELDS and never limited."""
    query = replace(query, fields=SELECT_FIELDS, limit=None)
    kwargs: dict[str, Any] = {"tz": tz, "today": today, "page_size": page_size, "concurrency": concurrency}
    if query.ids is None or len(query.ids) <= id_chunk:
        yield from iter_pages(client, query, **kwargs)
        return
    for part in chunked(list(dict.fromkeys(query.ids)), id_chunk):
        yield from iter_pages(client, replace(query, ids=tuple(part)), **kwargs)


def unique_tasks(pages: Iterable[list[Task]]) -> list[Task]:
    """The tasks of `pages` in order, each once (a task moved between pages is not doubled)."""
    seen: dict[str, Task] = {}
    for page in pages:
        for task in page:
            task_id = task.get("id")
            if isinstance(task_id, str) and task_id not in seen:
                seen[task_id] = task
    return list(seen.values())


@dataclass
class BulkPlan:
    """The selected tasks and the change: what will be sent, and what was skipped."""

    tasks: list[Task]
    changes: dict[str, Any]
    todo: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, tasks: Iterable[Task], changes: Mapping[str, Any]) -> BulkPlan:
        if not changes:
            raise ValueError("a bulk change needs at least one field to set")
        tasks = list(tasks)
        todo = [str(t["id"]) for t in tasks if needs_change(t, changes)]
        wanted = set(todo)
        skipped = [str(t["id"]) for t in tasks if t["id"] not in wanted]
        return cls(tasks, dict(changes), todo, skipped)

    @property
    def matched(self) -> int:
        return len(self.tasks)

    def over_max(self, cap: int) -> bool:
        return self.matched > cap

    def by_id(self) -> dict[str, Task]:
        return {str(t["id"]): t for t in self.tasks}

    def requests(self, *, chunk: int = CHUNK_SIZE) -> list[PlannedRequest]:
        return plan_update(self.todo, self.changes, chunk=chunk)

    def before(self) -> list[dict[str, Any]]:
        """The journal's before-state: each task's current value of every field to change."""
        tasks = self.by_id()
        return before_state({i: tasks[i] for i in self.todo}, self.changes)

    def preview(self, rows: int = 10) -> list[Task]:
        """The first tasks that will change (the preview's rows)."""
        tasks = self.by_id()
        return [tasks[i] for i in self.todo[:rows]]


def summary(
    plan: BulkPlan | None,
    *,
    result: ApplyResult | None = None,
    journal_entry: str | None = None,
    seconds: float = 0.0,
    dry_run: bool = False,
    interrupted: bool = False,
) -> dict[str, Any]:
    """The `--json` object: matched = changed + gone + failed + not_sent + skipped, and
    `unknown` counts those of `failed` that were sent with no answer (may have been applied)."""
    matched = plan.matched if plan is not None else 0
    skipped = len(plan.skipped) if plan is not None else 0
    out: dict[str, Any] = {
        "matched": matched,
        "changed": 0,
        "failed": 0,
        "failed_ids": [],
        "unknown": 0,
        "unknown_ids": [],
        "gone": 0,
        "gone_ids": [],
        "not_sent": 0,
        "not_sent_ids": [],
        "skipped": skipped,
        "changes": plan.changes if plan is not None else {},
        "journal_entry": journal_entry,
        "seconds": round(seconds, 3),
        "dry_run": dry_run,
        "interrupted": interrupted,
    }
    if dry_run and plan is not None:
        out["ids"] = list(plan.todo)
        out["requests"] = len(plan.requests())
    if result is not None:
        out.update(
            changed=len(result.sent),
            failed=len(result.failed),
            failed_ids=list(result.failed),
            unknown=len(result.unknown),
            unknown_ids=list(result.unknown),
            gone=len(result.gone),
            gone_ids=list(result.gone),
            not_sent=len(result.not_sent),
            not_sent_ids=list(result.not_sent),
        )
    return out


def summary_line(data: Mapping[str, Any], *, undo: str = "closetask undo") -> str:
    """`bulk: 1000 matched, 1000 changed, 0 failed in 2.3 s (journal 3f9a2c1b; undo with: closetask undo)`."""
    parts = [f"{data['matched']} matched", f"{data['changed']} changed", f"{data['failed']} failed"]
    if data.get("unknown"):
        parts[-1] += f" ({data['unknown']} unknown: may have been applied)"
    if data.get("gone"):
        parts.append(f"{data['gone']} gone (deleted meanwhile)")
    if data.get("not_sent"):
        parts.append(f"{data['not_sent']} not sent")
    if data.get("skipped"):
        parts.append(f"{data['skipped']} skipped (already so)")
    line = f"bulk: {', '.join(parts)} in {data['seconds']:.1f} s"
    if data.get("journal_entry") and data.get("changed"):
        line += f" (journal {data['journal_entry']}; undo with: {undo})"
    elif data.get("journal_entry"):
        line += f" (journal {data['journal_entry']})"
    return line


def describe_changes(changes: Mapping[str, Any], *, assignee: str | None = None, when: str | None = None) -> str:
    """`mark complete, assign to jane@example.com, move to Fri 4 Dec`: what the PUTs set."""
    parts = []
    if "is_complete" in changes:
        parts.append("mark complete" if changes["is_complete"] else "reopen")
    if "assigned_to" in changes:
        parts.append(f"assign to {assignee or changes['assigned_to']}")
    if "date" in changes:
        parts.append(f"move to {when or changes['date']}")
    return ", ".join(parts)
