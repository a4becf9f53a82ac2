"""The per-profile change lock: one change at a time (a bulk holds it for its whole run, every
other changing command for its apply phase, waiting a moment for it), and never a stale lock.

An exclusive, non-blocking `flock` on a file in the profile's state directory. The kernel
drops a flock when its process exits, however it exits (a crash, SIGKILL, a reboot), so a
lock file left behind by a dead run blocks nothing: whether a run holds the lock is decided
by the lock, never by the file's existence or its content.

The file says who holds the lock (pid, start time, command line; never the key) so that a
refused run can name the running one. It is emptied on release and never deleted:
unlinking a flock'd file lets two processes lock two different inodes under one name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from closetask.errors import ClosetaskError, StateError

BUSY_HINT = "wait for it to finish and run this again; one change at a time per profile"


class LockHeld(ClosetaskError):
    """Another process holds the lock (exit 1, like `flock -n` when the lock is taken)."""

    def __init__(self, message: str, *, holder: Mapping[str, Any] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.holder = dict(holder or {})


class BulkLock:
    """`with BulkLock(path, holder={...}):` holds the lock for the block, or raises LockHeld."""

    def __init__(
        self, path: Path, *, holder: Mapping[str, Any] | None = None, what: str = "bulk", wait: float = 0.0
    ) -> None:
        self.path = Path(path)
        self.holder = dict(holder or {})
        self.what = what
        self.wait = wait  # seconds to wait for another holder to finish (0: refuse at once)
        self._fd = -1

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock (Windows): run unlocked
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = open_no_follow(self.path, os.O_RDWR | os.O_CREAT)
        import time

        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:  # BlockingIOError (EWOULDBLOCK) when another process holds it
                holder = _read(fd)
                # A bulk can run for minutes: a single change does not wait for one.
                if time.monotonic() < deadline and not str(holder.get("command", "")).startswith("bulk"):
                    time.sleep(0.05)
                    continue
                os.close(fd)
                raise LockHeld(busy_message(self.what, holder), holder=holder, hint=BUSY_HINT) from None
        try:
            os.ftruncate(fd, 0)
            from closetask.state.journal import write_all

            write_all(fd, json.dumps(self.holder, ensure_ascii=False).encode("utf-8") + b"\n")
        except OSError:
            pass  # the lock is what matters; the description is a courtesy
        self._fd = fd

    def release(self) -> None:
        if self._fd < 0:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        os.close(self._fd)  # closing drops the flock
        self._fd = -1

    def __enter__(self) -> BulkLock:
        try:
            self.acquire()
        except OSError as exc:  # taken before anything is sent: a state directory not writable
            raise StateError("write the change lock", self.path, exc, after="; nothing was sent") from exc
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def busy_message(what: str, holder: Mapping[str, Any]) -> str:
    command = str(holder.get("command") or "")
    what = command.split(" ", 1)[0] if command else what  # name what is running, not what waits
    parts = []
    if holder.get("pid"):
        parts.append(f"pid {holder['pid']}")
    if holder.get("started"):
        parts.append(f"started {holder['started']}")
    who = f" ({', '.join(parts)})" if parts else ""
    running = f": `closetask {command}`" if command else ""
    return f"another {what} is running for this profile{who}{running}"


def _read(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, 64 * 1024)
        value = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (OSError, ValueError):
        return {}  # being written right now, or damaged: the lock still says "busy"
    return value if isinstance(value, dict) else {}


def open_no_follow(path: Path, flags: int) -> int:
    """os.open that refuses a symbolic link in the file's place (another local user could
    point it at a file of yours to have it truncated): one clear error instead."""
    import errno

    try:
        return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ClosetaskError(
                f"{path} is a symbolic link; closetask does not follow links for its state files",
                hint="remove it (closetask creates the file again)",
            ) from None
        raise
