"""What every benchmark section shares: the commands, a clean environment, timed child
processes (on a pipe or a pseudo-terminal, with their peak memory), the sandbox server, and
the rows of the summary table.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PY = sys.executable  # bench/.venv's python: closetask is installed there, editable
CLOSETASK = str(Path(PY).with_name("closetask"))
# A fixed "now" (and zone) for the seed, the server and the CLI: the same data every run.
NOW = "2026-11-28T10:00:00+00:00"
_CLEARED = (
    "CLOSE_API_KEY",
    "CLOSETASK_PROFILE",
    "CLOSETASK_BASE_URL",
    "CLOSETASK_TZ",
    "CLOSETASK_SANDBOX",
    "CLOSETASK_HOME",
    "CLOSETASK_NOW",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TZ",
)


@dataclass
class Row:
    """One line of the summary: a target, what was measured, and whether it is met."""

    section: str
    target: str
    measured: str
    met: bool | None  # None: informational
    command: str


@dataclass
class Run:
    seconds: float
    returncode: int
    maxrss_kb: int
    stdout: bytes = b""
    stderr: bytes = b""


@dataclass
class Context:
    quick: bool = False
    runs: int = 20
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="closetask-bench-")))
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        verdict = {True: "MET", False: "MISSED", None: "info"}[row.met]
        say(f"  [{verdict}] {row.target}: {row.measured}")


def say(text: str = "") -> None:
    print(text, flush=True)


def env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child: no closetask settings of the person running the bench."""
    out = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    out.update(CLOSETASK_NOW=NOW, CLOSETASK_TZ="UTC", COLUMNS="120", LINES="50")
    if home is not None:
        out["CLOSETASK_HOME"] = str(home)
    out.update(extra)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _wait(proc: subprocess.Popen) -> tuple[int, int]:
    """Reap `proc` with wait4: its own rusage (peak RSS), not the sum of all children."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


def run(
    argv: list[str],
    *,
    env: dict[str, str],
    tty: bool = False,
    capture: bool = False,
    stdin: bytes | None = None,
    timeout: float = 3600,
) -> Run:
    """Run a child to the end; wall time from spawn to exit, and its peak RSS. Output goes
    to files (capture) or /dev/null. With tty=True its stdout and stderr are a
    pseudo-terminal (what a person sees), drained as it writes."""
    if tty:
        return _run_tty(argv, env=env, capture=capture, timeout=timeout)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            env=env,
            stdin=inp if stdin is not None else subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL,
            stderr=err if capture else subprocess.DEVNULL,
        )
        code, rss = _wait(proc)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(seconds, code, rss, out.read(), err.read())


def _run_tty(argv: list[str], *, env: dict[str, str], capture: bool, timeout: float) -> Run:
    master, slave = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = started + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            if capture:
                chunks.append(data)
        elif proc.poll() is not None:
            break
    code, rss = _wait(proc)
    seconds = time.perf_counter() - started
    os.close(master)
    return Run(seconds, code, rss, b"".join(chunks))


def timed_rounds(
    commands: dict[str, tuple[list[str], dict[str, str]]], rounds: int, *, tty: bool = False, warmup: int = 2
) -> dict[str, list[float]]:
    """Run every command once per round, interleaved (A B C A B C ...), so that a busy
    moment of the machine costs them all alike; the first `warmup` rounds are dropped."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for number in range(warmup + rounds):
        for name, (argv, child_env) in commands.items():
            result = run(argv, env=child_env, tty=tty)
            if result.returncode != 0:
                raise RuntimeError(f"{name}: exit {result.returncode}: {' '.join(argv)}")
            if number >= warmup:
                times[name].append(result.seconds)
    return times


def compile_bytecode() -> None:
    """Byte-compile the package as an installer would (the dev environment sets
    PYTHONDONTWRITEBYTECODE=1, so nothing is cached otherwise)."""
    subprocess.run([PY, "-m", "compileall", "-q", str(REPO / "src")], check=True, stdout=subprocess.DEVNULL)


# --- the sandbox -------------------------------------------------------------------------


def reset_db(db: Path, tasks: int, *, seed: int = 1) -> float:
    """`closetask sandbox reset`; answers its wall time."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    result = run(
        [CLOSETASK, "sandbox", "reset", "--db", str(db), "--tasks", str(tasks), "--seed", str(seed)],
        env=env(db.parent / "server-home"),
        capture=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"sandbox reset failed: {result.stderr.decode(errors='replace')}")
    return result.seconds


@dataclass
class Server:
    base_url: str
    api_key: str
    db: Path
    log: Path
    process: subprocess.Popen

    def client_env(self, home: Path, **extra: str) -> dict[str, str]:
        return env(home, CLOSE_API_KEY=self.api_key, CLOSETASK_BASE_URL=self.base_url, **extra)

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def clear_log(self) -> None:
        self.log.write_text("")


@contextmanager
def server(db: Path, *extra: str) -> Iterator[Server]:
    """`closetask sandbox serve` on a free loopback port, stopped (SIGTERM) afterwards."""
    log = db.with_suffix(".log")
    log.write_text("")
    proc = subprocess.Popen(
        [CLOSETASK, "sandbox", "serve", "--port", "0", "--db", str(db), "--log", str(log), *extra],
        env=env(db.parent / "server-home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    values: dict[str, str] = {}
    try:
        while len(values) < 2:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError("sandbox serve did not start")
            key, _, value = line.strip().partition("=")
            if key in ("base_url", "api_key"):
                values[key] = value
        yield Server(values["base_url"], values["api_key"], db, log, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def fresh_dir(ctx: Context, name: str) -> Path:
    path = ctx.workdir / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def count_requests(lines: list[str], method: str, path_prefix: str) -> int:
    """Requests of `method` whose path starts with /api/v1/<path_prefix>."""
    head = f"{method} /api/v1/{path_prefix}"
    return sum(1 for line in lines if line.startswith(head))
