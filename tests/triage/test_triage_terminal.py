"""The installed `closetask --sandbox triage` on a pseudo-terminal: q and a signal both leave
the terminal as they found it (the alternate screen left, the cursor shown), with exit 0 and
130, and never a traceback."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from sandboxproc import ENV_TO_CLEAR, FIXED_NOW, closetask_argv

pytestmark = pytest.mark.e2e

LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"


def start(tmp_path) -> tuple[subprocess.Popen[bytes], int]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_TO_CLEAR}
    env.update(CLOSETASK_HOME=str(tmp_path), CLOSETASK_NOW=FIXED_NOW, CLOSETASK_TZ="UTC", TERM="xterm-256color")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [*closetask_argv(), "--sandbox", "triage"], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    return proc, master


def read_until(master: int, marker: bytes | None, proc: subprocess.Popen[bytes], limit: float = 60) -> bytes:
    """What the program wrote, until `marker` appears (None: until it exits)."""
    out = b""
    end = time.monotonic() + limit  # a hang fails the test instead of stalling the suite
    while time.monotonic() < end:
        if marker is not None and marker in out:
            return out
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            out += chunk
            if chunk:
                continue
        if marker is None and proc.poll() is not None:
            return out
    proc.kill()
    raise AssertionError(f"no {marker!r} from triage; it wrote: {out[-500:]!r}")


@pytest.mark.parametrize(("stop", "code"), [("q", 0), ("SIGTERM", 130)])
def test_triage_leaves_the_terminal_restored(tmp_path, stop, code):
    proc, master = start(tmp_path)
    try:
        read_until(master, b"for keys", proc)  # the list is on screen
        if stop == "q":
            os.write(master, b"q")
        else:
            proc.send_signal(signal.SIGTERM)
        rest = read_until(master, None, proc)
        assert proc.wait(timeout=30) == code
    finally:
        os.close(master)
    assert LEAVE_ALTERNATE_SCREEN in rest
    assert b"Traceback" not in rest
    if stop == "SIGTERM":
        assert b"interrupted" in rest.split(LEAVE_ALTERNATE_SCREEN)[-1]
