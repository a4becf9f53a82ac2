"""One daemon thread that runs triage's blocking calls (HTTP, the journal) in order.

Not a ThreadPoolExecutor: Python joins those threads at exit, so leaving triage while
Close is slow (a 429's waits add up to two minutes) would keep the shell waiting after
the screen is gone. A daemon thread ends with the process; a change cut short that way is
in the journal as one that got no answer, as after a kill (`closetask undo --list`).
No Textual here: the command starts the first listing before Textual is imported.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class Worker:
    """submit(fn, *args) -> Future; calls run one at a time, in the order submitted."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._busy = threading.Event()
        threading.Thread(target=self._run, name="triage-io", daemon=True).start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((future, fn, args))
        return future

    @property
    def busy(self) -> bool:
        """A call is running now (a change may be on its way to Close)."""
        return self._busy.is_set()

    def shutdown(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args = job
            if not future.set_running_or_notify_cancel():
                continue
            self._busy.set()
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side, which reports it
                future.set_exception(exc)
            finally:
                self._busy.clear()
