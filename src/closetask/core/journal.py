"""The undo journal: what each changing command was about to do, written before it did it.

One JSON Lines file per profile. A command run appends one *entry* record (the before-state of
every task it is about to touch and the change it will send), flushed and fsync'd before any
request leaves. Progress is appended as small *mark* records that name the entry by id:

    {"kind": "entry", "id": "3f9a2c1b", "at": "...", "command": "done 2 5", "action": "update",
     "before": [{"id": "task_...", "fields": {"is_complete": false}}], "changes": {...},
     "status": "pending"}
    {"kind": "mark", "ref": "3f9a2c1b", "at": "...", "attempting": ["task_..."]}
    {"kind": "mark", "ref": "3f9a2c1b", "at": "...", "sent": ["task_..."], "status": "applied"}

Append-only is crash-safe: a run killed half-way leaves its entry and every mark written so far,
so the journal says which chunks were confirmed (`sent`), which failed (`failed`: the server's
state for those is unknown) and which were in flight (`attempting` with no outcome). The reader
folds the records by id; a corrupt line is skipped with a warning and never hides the others.
The API key is never given to the journal, so it cannot end up in it.

This module is the model (entries, and folding the records into them); the file, its lock
and its compaction are state/journal.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("pending", "applied", "partial", "failed", "undone")
ACTIONS = ("update", "delete", "create", "bulk")


@dataclass
class JournalEntry:
    """One command run, with every mark folded in."""

    id: str
    at: str
    command: str
    action: str
    before: list[dict[str, Any]]
    changes: dict[str, Any]
    status: str = "pending"
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    attempting: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    undone_at: str | None = None
    undo_sent: list[str] = field(default_factory=list)
    undo_errors: list[str] = field(default_factory=list)
    finished_at: str | None = None  # when the final status was marked: the change's confirmed time
    undo_skipped: list[str] = field(default_factory=list)  # left alone by undo: changed since
    _index: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _index_key: tuple[int, int] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def task_ids(self) -> list[str]:
        return [str(b.get("id")) for b in self.before if isinstance(b, dict)]

    @property
    def in_flight(self) -> list[str]:
        """IDs whose request went out with no answer recorded (a crash or Ctrl-C mid-request)."""
        done = set(self.sent) | set(self.failed)
        return [i for i in self.attempting if i not in done]

    @property
    def touched(self) -> list[str]:
        """Every ID the server may have changed: confirmed, failed (unknown) or in flight."""
        seen: set[str] = set()
        out: list[str] = []
        for task_id in (*self.sent, *self.failed, *self.attempting):
            if task_id not in seen:
                seen.add(task_id)
                out.append(task_id)
        return out

    def before_of(self, task_id: str) -> dict[str, Any] | None:
        # An index, not a scan per call: undo asks this for every task of a bulk entry, and
        # scanning made undoing 10,000 tasks take seconds (quadratic).
        key = (id(self.before), len(self.before))
        if self._index_key != key:
            index: dict[str, dict[str, Any]] = {}
            for item in self.before:
                if isinstance(item, dict) and "id" in item:
                    fields = item.get("fields")
                    index.setdefault(item["id"], fields if isinstance(fields, dict) else {})
            self._index, self._index_key = index, key
        fields = self._index.get(task_id)
        return dict(fields) if fields is not None else None

    def changes_for(self, task_id: str) -> dict[str, Any]:
        """What this entry set on `task_id`: its own values where they differed per task
        (`snooze 1 2 fri` keeps each timed task's time of day), else `changes`."""
        own = self.extra.get("changes_of")
        fields = own.get(task_id) if isinstance(own, dict) else None
        return dict(fields) if isinstance(fields, dict) else self.changes

    def summary(self) -> dict[str, Any]:
        """The entry without its (possibly large) before-state, for listings and --json."""
        return {
            "id": self.id,
            "at": self.at,
            "command": self.command,
            "action": self.action,
            "status": self.status,
            "tasks": len(self.before) or len(self.touched),  # an `add` has no before-state
            "changes": self.changes,
            "sent": len(self.sent),
            "failed": len(self.failed),
            "in_flight": len(self.in_flight),
            "errors": self.errors,
            "undone_at": self.undone_at,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "command": self.command,
            "action": self.action,
            "before": self.before,
            "changes": self.changes,
            "status": self.status,
            "sent": self.sent,
            "failed": self.failed,
            "attempting": self.attempting,
            "errors": self.errors,
            "undone_at": self.undone_at,
            "undo_sent": self.undo_sent,
            "undo_errors": self.undo_errors,
            "finished_at": self.finished_at,
            "undo_skipped": self.undo_skipped,
            **({"extra": self.extra} if self.extra else {}),
        }


def is_undoable(entry: JournalEntry) -> bool:
    """Not undone yet, and it may have changed something: tasks it touched, or an `add` whose
    answer never came (Close may have created the task; undo looks for it)."""
    return entry.status != "undone" and (bool(entry.touched) or is_uncertain_create(entry))


def is_uncertain_create(entry: JournalEntry) -> bool:
    return entry.action == "create" and not entry.touched and entry.status in ("pending", "failed")


def fold(lines: Iterable[bytes | str], *, warn: Callable[[str], None], source: str = "journal") -> list[JournalEntry]:
    """Turn journal lines into entries. A bad line costs only itself."""
    entries: dict[str, JournalEntry] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
            kind = record.get("kind")
            if kind in ("entry", "folded"):
                entry = _entry_from(record)
                entries[entry.id] = entry
            elif kind in ("mark", "undo"):
                target = entries.get(str(record.get("ref")))
                if target is None:
                    raise ValueError(f"refers to unknown entry {record.get('ref')!r}")
                (_apply_mark if kind == "mark" else _apply_undo)(target, record)
            else:
                raise ValueError(f"unknown record kind {kind!r}")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            warn(f"warning: {source} line {number} skipped ({_why(exc)})")
    return list(entries.values())


def _entry_from(record: Mapping[str, Any]) -> JournalEntry:
    before = record.get("before") or []
    if not isinstance(before, list) or not all(isinstance(b, dict) and "id" in b for b in before):
        raise ValueError("bad before-state")
    entry = JournalEntry(
        id=str(record["id"]),
        at=str(record.get("at", "")),
        command=str(record.get("command", "")),
        action=str(record.get("action", "update")),
        before=before,
        changes=dict(record.get("changes") or {}),
        status=str(record.get("status", "pending")),
        extra=dict(record.get("extra") or {}),
    )
    # A "folded" record (written by compaction) carries the progress fields too.
    entry.sent = _ids(record.get("sent"))
    entry.failed = _ids(record.get("failed"))
    entry.attempting = _ids(record.get("attempting"))
    entry.errors = [str(e) for e in record.get("errors") or []]
    entry.undone_at = record.get("undone_at")
    entry.undo_sent = _ids(record.get("undo_sent"))
    entry.undo_errors = [str(e) for e in record.get("undo_errors") or []]
    entry.finished_at = record.get("finished_at")
    entry.undo_skipped = _ids(record.get("undo_skipped"))
    return entry


def _apply_mark(entry: JournalEntry, record: Mapping[str, Any]) -> None:
    attempting, sent, failed = _ids(record.get("attempting")), _ids(record.get("sent")), _ids(record.get("failed"))
    status = record.get("status")
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    _extend(entry.attempting, attempting)
    # An ID confirmed later (a retry) is no longer failed, and the other way round.
    _extend(entry.sent, sent)
    # Sets built once: a 10,000-task entry is folded on every undo.
    confirmed_now, confirmed = set(sent), set(entry.sent)
    entry.failed = [i for i in entry.failed if i not in confirmed_now]
    _extend(entry.failed, [i for i in failed if i not in confirmed])
    if record.get("error"):
        entry.errors.append(str(record["error"]))
    if isinstance(record.get("extra"), dict):
        entry.extra.update(record["extra"])
    if status:
        entry.status = status
        entry.finished_at = str(record.get("at", "")) or None


def _apply_undo(entry: JournalEntry, record: Mapping[str, Any]) -> None:
    restored = _ids(record.get("sent"))
    _extend(entry.undo_sent, restored)
    entry.undo_skipped = [i for i in entry.undo_skipped if i not in set(restored)]
    _extend(entry.undo_skipped, _ids(record.get("skipped")))
    if record.get("error"):
        entry.undo_errors.append(str(record["error"]))
    if record.get("complete", True):
        entry.status = "undone"
        entry.undone_at = str(record.get("at", ""))


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("an ID list is not a list")
    return [str(v) for v in value]


def _extend(target: list[str], more: Iterable[str]) -> None:
    seen = set(target)
    for item in more:
        if item not in seen:
            seen.add(item)
            target.append(item)


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return "not valid JSON"
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc) or type(exc).__name__
