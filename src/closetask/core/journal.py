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
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("pending", "applied", "partial", "failed", "undone")
ACTIONS = ("update", "delete", "create", "bulk")
# Beyond this size the journal is rewritten keeping the newest entries (see `_maybe_compact`):
# the last few hundred commands are what undo and a person need, not a history of years.
COMPACT_BYTES = 8 * 1024 * 1024
KEEP_ENTRIES = 200


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
            **({"extra": self.extra} if self.extra else {}),
        }


class UndoJournal:
    """The append-only journal at `path` (created 0600 on first write).

    `warn` receives one line per corrupt record skipped while reading; `clock` returns the
    ISO time stamp for new records (the CLI passes its own clock: nothing here reads it).
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], str] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self._clock = clock or _utc_now
        warn = warn or (lambda message: None)
        warned: set[str] = set()

        def warn_once(message: str) -> None:
            # The journal is read more than once per command; say each problem once.
            if message not in warned:
                warned.add(message)
                warn(message)

        self._warn = warn_once

    # --- writing -------------------------------------------------------------------------

    def begin(
        self,
        *,
        command: str,
        action: str,
        before: Iterable[Mapping[str, Any]],
        changes: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> JournalEntry:
        """Record what is about to be sent. Call this before the first request of a change."""
        if action not in ACTIONS:
            raise ValueError(f"unknown journal action {action!r}")
        entry = JournalEntry(
            id=secrets.token_hex(4),
            at=self._clock(),
            command=command,
            action=action,
            before=[{"id": str(b["id"]), "fields": dict(b.get("fields") or {})} for b in before],
            changes=dict(changes or {}),
            extra=dict(extra or {}),
        )
        record = {"kind": "entry", **entry.to_dict()}
        for empty in ("sent", "failed", "attempting", "errors", "undone_at", "undo_sent", "undo_errors"):
            record.pop(empty, None)
        self._maybe_compact()
        self._append(record)
        return entry

    def mark(
        self,
        entry_id: str,
        *,
        status: str | None = None,
        attempting: Sequence[str] = (),
        sent: Sequence[str] = (),
        failed: Sequence[str] = (),
        error: str | None = None,
        **extra: Any,
    ) -> None:
        """Append progress for an entry: IDs about to go out, confirmed, or failed, and/or a status.

        `sent`/`failed`/`attempting` add to what earlier marks said, so each chunk is one
        small record however large the entry is.
        """
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown journal status {status!r}")
        record: dict[str, Any] = {"kind": "mark", "ref": entry_id, "at": self._clock()}
        if status:
            record["status"] = status
        if attempting:
            record["attempting"] = list(attempting)
        if sent:
            record["sent"] = list(sent)
        if failed:
            record["failed"] = list(failed)
        if error:
            record["error"] = error
        if extra:
            record["extra"] = extra
        self._append(record)

    def mark_undone(
        self, entry_id: str, *, sent: Sequence[str] = (), error: str | None = None, complete: bool = True
    ) -> None:
        """Record an undo: `complete=False` keeps the entry undoable (a partial undo can be rerun)."""
        record: dict[str, Any] = {"kind": "undo", "ref": entry_id, "at": self._clock(), "complete": complete}
        if sent:
            record["sent"] = list(sent)
        if error:
            record["error"] = error
        self._append(record)

    def _append(self, record: Mapping[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _Locked(self.path) as fd:
            # A crash mid-write can leave a last line without its newline: start a fresh line so
            # this record is not glued to the broken one.
            size = os.fstat(fd).st_size
            if size:
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":
                    line = b"\n" + line
            os.lseek(fd, 0, os.SEEK_END)
            write_all(fd, line)
            os.fsync(fd)

    # --- reading -------------------------------------------------------------------------

    def entries(self) -> list[JournalEntry]:
        """Every entry, oldest first, with its marks folded in. Corrupt lines are skipped."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        return fold(raw.splitlines(), warn=self._warn, source=str(self.path))

    def get(self, entry_id: str) -> JournalEntry | None:
        matches = [e for e in self.entries() if e.id == entry_id or e.id.startswith(entry_id)]
        exact = [e for e in matches if e.id == entry_id]
        if exact:
            return exact[0]
        return matches[0] if len(matches) == 1 else None

    def last_undoable(self) -> JournalEntry | None:
        """The most recent entry not yet undone that may have changed something."""
        for entry in reversed(self.entries()):
            if is_undoable(entry):
                return entry
        return None

    # --- upkeep --------------------------------------------------------------------------

    def _maybe_compact(self) -> None:
        """Keep the file bounded: past COMPACT_BYTES, rewrite it with the newest entries."""
        try:
            if self.path.stat().st_size <= COMPACT_BYTES:
                return
        except FileNotFoundError:
            return
        with _Locked(self.path) as fd:
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while block := os.read(fd, 1 << 20):
                chunks.append(block)
            entries = fold(b"".join(chunks).splitlines(), warn=self._warn, source=str(self.path))
            # Newest first, up to half the limit, so that compaction does not run again at once.
            lines: list[str] = []
            budget = COMPACT_BYTES // 2
            for entry in reversed(entries[-KEEP_ENTRIES:]):
                line = (
                    json.dumps({"kind": "folded", **entry.to_dict()}, ensure_ascii=False, separators=(",", ":")) + "\n"
                )
                budget -= len(line)
                if lines and budget < 0:
                    break
                lines.append(line)
            text = "".join(reversed(lines))
            from closetask.config import write_atomic

            write_atomic(self.path, text)  # a fresh private temp file, fsync'd, then replace


def is_undoable(entry: JournalEntry) -> bool:
    return entry.status != "undone" and bool(entry.touched)


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


def _apply_undo(entry: JournalEntry, record: Mapping[str, Any]) -> None:
    _extend(entry.undo_sent, _ids(record.get("sent")))
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


def _utc_now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out (a write may be short)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class _Locked:
    """Open the journal for appending under an exclusive lock (two closetask processes on one
    profile must not interleave their records), re-opening if compaction replaced the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> int:
        for _ in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            _lock(fd)
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                _tighten(self.path)
                return fd
            os.close(fd)  # replaced while we waited for the lock: take the new file
        raise OSError(f"cannot lock {self.path}")

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing releases the lock
            self.fd = -1


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: appends of one write() each instead
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _tighten(path: Path) -> None:
    # The file holds task content (texts, assignees): keep it private like the config.
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass
