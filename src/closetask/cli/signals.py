"""Signals: SIGINT and SIGTERM become a KeyboardInterrupt with a message (exit 130) for every
command, so `finally` blocks and the journal's marks run; bulk asks to stop after the chunks
in flight instead (StopOnSignal). Handlers are installed in the main thread only."""

from __future__ import annotations

import sys
from typing import Any


def _raise_interrupted(signum: int, frame: object) -> None:
    import signal

    name = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"
    print(f"interrupted ({name})", file=sys.stderr, flush=True)
    # A KeyboardInterrupt, for SIGTERM too, so that every `except KeyboardInterrupt` that
    # records a chunk in flight (core/changes.py, bulk) sees it; Typer exits 130.
    raise KeyboardInterrupt


def install_interrupt_handlers() -> dict[int, Any]:
    """Turn SIGINT and SIGTERM into a KeyboardInterrupt with a message (exit 130), so
    `finally` blocks run; without this SIGTERM kills at once and Typer swallows Ctrl-C
    silently. Commands that must finish a step first (bulk) install their own handlers."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, _raise_interrupted)
    return previous


def restore_handlers(previous: dict[int, Any]) -> None:
    import signal

    for signum, handler in previous.items():
        signal.signal(signum, handler)


class StopOnSignal:
    """SIGINT/SIGTERM during the apply: the first asks to stop after the chunks in flight
    (their answers are then recorded), a second one stops at once. Handlers are restored on exit."""

    def __init__(self) -> None:
        self.flag = False
        self._previous: dict[int, Any] = {}

    def requested(self) -> bool:
        return self.flag

    def _handle(self, signum: int, frame: object) -> None:
        if self.flag:
            raise KeyboardInterrupt
        self.flag = True
        import os

        # os.write, not print: a handler must not re-enter a buffered stream mid-write.
        os.write(2, b"\nstopping after the chunks in flight (signal again to stop at once)\n")

    def __enter__(self) -> StopOnSignal:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
