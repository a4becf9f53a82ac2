"""The undo journal's file: one JSON Lines file per profile, appended under a lock, fsync'd
before a request leaves, compacted past a size. The records and their folding are
core/journal.py.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from closetask.core.journal import ACTIONS, STATUSES, JournalEntry, fold, is_undoable
from closetask.errors import StateError
from closetask.state.lock import open_no_follow

# Beyond this size the journal is rewritten keeping the newest entries (see `_maybe_compact`):
# the last few hundred commands are what undo and a person need, not a history of years.
COMPACT_BYTES = 8 * 1024 * 1024
KEEP_ENTRIES = 200


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
        for empty in (
            "sent",
            "failed",
            "attempting",
            "errors",
            "undone_at",
            "undo_sent",
            "undo_errors",
            "finished_at",
            "undo_skipped",
        ):
            record.pop(empty, None)
        try:
            self._maybe_compact()
            self._append(record)
        except OSError as exc:
            raise StateError("write the undo journal", self.path, exc, after="; nothing was sent") from exc
        except StateError as exc:
            # Written before the first request: a journal that cannot be written stops the change.
            raise StateError(exc.what, exc.path, exc.cause, after="; nothing was sent") from exc
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
        self,
        entry_id: str,
        *,
        sent: Sequence[str] = (),
        error: str | None = None,
        complete: bool = True,
        skipped: Sequence[str] = (),
    ) -> None:
        """Record an undo: `complete=False` keeps the entry undoable (a partial undo can be rerun);
        `skipped`: tasks left alone because they changed since (`undo ENTRY --force` reverts them)."""
        record: dict[str, Any] = {"kind": "undo", "ref": entry_id, "at": self._clock(), "complete": complete}
        if sent:
            record["sent"] = list(sent)
        if skipped:
            record["skipped"] = list(skipped)
        if error:
            record["error"] = error
        self._append(record)

    def _append(self, record: Mapping[str, Any]) -> None:
        try:
            self._write(record)
        except OSError as exc:
            raise StateError("write the undo journal", self.path, exc) from exc

    def _write(self, record: Mapping[str, Any]) -> None:
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
        except OSError as exc:
            raise StateError("read the undo journal", self.path, exc) from exc
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
            fd = open_no_follow(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
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
