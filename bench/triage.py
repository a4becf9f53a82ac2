"""`closetask triage` (issue 18): time to first paint beside `closetask --sandbox inbox`
(target: at most 2x), and the time from pressing x to the list redrawn without the task,
on a list of about 1,000 tasks served by `sandbox serve --latency 20`.

First paint: the installed command on a 120x50 pseudo-terminal (COLUMNS=120, as inbox),
timed from spawn to the status line's `? for keys` (written once the list is drawn), then
q; inbox from spawn to exit. Interleaved rounds, medians.

x: the real app in this process, driven by Textual's Pilot (headless), against the served
sandbox: one press, then until its worker is done and the screen has caught up. That is
the GET of the before-state, the journaled PUT, and the list read again (10 pages).
"""

from __future__ import annotations

import asyncio
import os
import pty
import select
import struct
import subprocess
import time

from harness import CLOSETASK, Context, Row, env, fresh_dir, median, ms, reset_db, say, server
from harness import run as run_child

TARGET = 2.0
TASKS = 697  # as bench/inbox.py: 202 inbox tasks for the key's user
TASKS_X = 3490  # about 1,000 inbox tasks for the key's user (seed 1)


def run(ctx: Context) -> None:
    first_paint(ctx)
    press_x(ctx)


def first_paint(ctx: Context) -> None:
    home = fresh_dir(ctx, "triage")
    reset_db(home / "data" / "sandbox.sqlite3", TASKS)
    child = env(home)
    run_child([CLOSETASK, "--sandbox", "inbox", "--ids"], env=child, capture=True)  # /me/ cached, as for inbox
    paint: list[float] = []
    inbox: list[float] = []
    for number in range(2 + ctx.runs):
        took = run_child([CLOSETASK, "--sandbox", "inbox"], env=child, tty=True)
        painted = _triage_paint(child)
        if number >= 2:
            inbox.append(took.seconds)
            paint.append(painted)
    ratio = median(paint) / median(inbox)
    ctx.add(
        Row(
            "triage",
            f"triage's first paint with the list <= {TARGET:g}x inbox on a terminal",
            f"{ms(median(paint))} vs {ms(median(inbox))} = {ratio:.2f}x",
            ratio <= TARGET,
            f"closetask --sandbox triage until the list is drawn, on a 120x50 pty (sandbox reset --tasks {TASKS})",
        )
    )


def _triage_paint(child: dict[str, str]) -> float:
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(
        [CLOSETASK, "--sandbox", "triage"], env=child, stdin=slave, stdout=slave, stderr=slave, close_fds=True
    )
    os.close(slave)
    seen, painted = b"", None
    try:
        while painted is None and time.perf_counter() - started < 60:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                seen += os.read(master, 65536)
                if b"for keys" in seen:
                    painted = time.perf_counter() - started
        os.write(master, b"q")
        while proc.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        proc.wait(timeout=30)
    finally:
        os.close(master)
    if painted is None or proc.returncode != 0:
        raise RuntimeError(f"triage did not paint its list (exit {proc.returncode}): {seen[-500:]!r}")
    return painted


def press_x(ctx: Context) -> None:
    home = fresh_dir(ctx, "triage-x")
    db = home / "sandbox.sqlite3"
    reset_db(db, TASKS_X)
    presses = 5 if ctx.quick else 10
    with server(db, "--latency", "20") as served:
        child = served.client_env(home / "client")
        saved = {name: os.environ.get(name) for name in child}
        os.environ.update(child)
        try:
            count, times = asyncio.run(_press_x(presses))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    say(f"triage x: {count} tasks listed, {presses} presses")
    ctx.add(
        Row(
            "triage",
            f"x to the redrawn list, {count} tasks, 20 ms latency",
            ms(median(times)),
            None,
            "Pilot press x (headless) against sandbox serve --latency 20: before-state GET, PUT, the list read again",
        )
    )


async def _press_x(presses: int) -> tuple[int, list[float]]:
    from closetask.cli.filters import build_query
    from closetask.cli.triage import make_app
    from closetask.env import Env
    from closetask.session import Session

    session = Session(env=Env(stdin_tty=True, stdout_tty=True, tty_name=""))
    app = make_app(session, "inbox", build_query(session, view="inbox", default_order="date"))
    times: list[float] = []
    async with app.run_test(size=(120, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        count = len(app.listing) if app.listing is not None else 0
        for _ in range(presses):
            gone = app.highlighted()["id"]  # type: ignore[index]
            started = time.perf_counter()
            await pilot.press("x")
            await app.workers.wait_for_complete()
            await pilot.pause()
            times.append(time.perf_counter() - started)
            if any(task.get("id") == gone for task in app.listing.tasks):  # type: ignore[union-attr]
                raise RuntimeError(f"x did not complete {gone}: {app.status_text()}")
    session.close()
    return count, times
