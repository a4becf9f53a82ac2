"""Start and stop `closetask sandbox serve` as a real process, and find the installed command.

Plain functions (not fixtures) so any test can start a server with its own options:
`from sandboxproc import start_sandbox, stop_sandbox`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

FIXED_NOW = "2026-11-28T10:00:00+00:00"
TEST_TTY = "/dev/pts/test"  # the terminal in-process runs count as shown on (row numbers)
TEST_KEY = "api_TestKey1234567890.abcdefSECRET"
ENV_TO_CLEAR = (
    "CLOSE_API_KEY",
    "CLOSETASK_PROFILE",
    "CLOSETASK_BASE_URL",
    "CLOSETASK_TZ",
    "CLOSETASK_SANDBOX",
    "CLOSETASK_HOME",
    "CLOSETASK_NOW",
    "NO_COLOR",
    "FORCE_COLOR",
    "TZ",
)
_ENV_TO_CLEAR = ENV_TO_CLEAR


def closetask_argv() -> list[str]:
    """The installed `closetask` command (what users run), else `python -m closetask`."""
    exe = Path(sys.executable).with_name("closetask")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("closetask")
    return [found] if found else [sys.executable, "-m", "closetask"]


@dataclass
class SandboxServer:
    base_url: str
    api_key: str
    db: Path
    log: Path
    process: subprocess.Popen = field(repr=False)

    def requests(self, method: str | None = None) -> list[str]:
        """The lines of the request log: 'METHOD /path?query STATUS'."""
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        return [ln for ln in lines if method is None or ln.startswith(method + " ")]

    def env(self, home: Path) -> dict[str, str]:
        """Environment for running the installed closetask against this server."""
        return server_env(self.base_url, self.api_key, home)


def server_env(base_url: str, api_key: str, home: Path, *, columns: int = 120) -> dict[str, str]:
    """The process environment, cleared of closetask's settings, pointed at a server on loopback
    with a fixed clock and zone."""
    env = {k: v for k, v in os.environ.items() if k not in _ENV_TO_CLEAR}
    env.update(
        CLOSETASK_HOME=str(home),
        CLOSE_API_KEY=api_key,
        CLOSETASK_BASE_URL=base_url,
        CLOSETASK_NOW=FIXED_NOW,
        CLOSETASK_TZ="UTC",
        CLOSETASK_TTY=TEST_TTY,  # the terminal a run counts as shown on when it has none (CI)
        COLUMNS=str(columns),
    )
    return env


def start_sandbox(tmp_path: Path, *extra: str, tasks: int | None = None, seed: int = 1) -> SandboxServer:
    tmp_path.mkdir(parents=True, exist_ok=True)  # serve --db refuses a missing directory
    db = tmp_path / "sandbox.sqlite3"
    log = tmp_path / "requests.log"
    env = {k: v for k, v in os.environ.items() if k not in _ENV_TO_CLEAR}
    env.update(CLOSETASK_HOME=str(tmp_path / "server-home"), CLOSETASK_NOW=FIXED_NOW)
    if tasks is not None:
        subprocess.run(
            [*closetask_argv(), "sandbox", "reset", "--db", str(db), "--tasks", str(tasks), "--seed", str(seed)],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    process = subprocess.Popen(
        [
            *closetask_argv(),
            "sandbox",
            "serve",
            "--port",
            "0",
            "--db",
            str(db),
            "--api-key",
            TEST_KEY,
            "--log",
            str(log),
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    values: dict[str, str] = {}
    deadline = time.monotonic() + 30
    while len(values) < 2 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        key, _, value = line.strip().partition("=")
        if key in ("base_url", "api_key"):
            values[key] = value
    if len(values) < 2:
        process.kill()
        raise RuntimeError(f"sandbox serve did not start: {process.stderr.read()}")
    return SandboxServer(values["base_url"], values["api_key"], db, log, process)


def stop_sandbox(server: SandboxServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def seed_stale_tasks(
    db: Path,
    count: int,
    *,
    id_prefix: str,
    first: int = 0,
    types: tuple[str, ...] = ("lead",),
    user_index: int = 0,
    complete: bool = False,
    day: date | None = None,
    created_apart: bool = False,
) -> list[str]:
    """Insert `count` tasks straight into a sandbox database, in one transaction (POSTing
    thousands would make the tests slow): the first lead's, of the user at `user_index`
    (0 is the key's user), types cycling through `types`, dated `day` or 2026-10-01 to
    2026-11-13 (stale on the fixed today, 2026-11-28), odd ones at 15:30 UTC. All are created
    at one instant (a bulk import), or with `created_apart` a second apart, newest last."""
    from datetime import datetime, timedelta, timezone

    from closetask.sandbox.store import TASK_COLUMNS, Store, task_row

    def created(n: int) -> str:
        start = datetime(2026, 9, 20, 9, tzinfo=timezone.utc)
        return (start + timedelta(seconds=n if created_apart else 0)).isoformat()

    store = Store(db)
    try:
        user = store.users()[user_index]["id"]
        lead = store.leads()[0]
        rows, ids = [], []
        for n in range(first, first + count):
            kind = types[n % len(types)]
            when = (day or date(2026, 10, 1) + timedelta(days=n % 44)).isoformat()
            task_id = f"task_{id_prefix}{n:06d}".ljust(27, "x")
            ids.append(task_id)
            rows.append(
                task_row(
                    {
                        "id": task_id,
                        "_type": kind,
                        "lead_id": lead["id"],
                        "lead_name": lead.get("display_name"),
                        "text": f"Stale task {n}" if kind == "lead" else "",
                        "date": f"{when}T15:30:00+00:00" if n % 2 else when,
                        "is_dateless": False,
                        "is_complete": complete,
                        "assigned_to": user,
                        "updated_by": user,
                        "date_created": created(n),
                        "date_updated": created(n),
                    }
                )
            )
        with store.write() as conn:
            conn.executemany(f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({','.join('?' * 15)})", rows)
    finally:
        store.close()
    return ids


# Run closetask's main() with {args!r} in a fresh interpreter, then report its exit code and
# every module it loaded (tests that start-up stays light).
IMPORT_PROBE = """
import sys
from closetask.cli import main
code = 0
try:
    main({args!r})
except SystemExit as exc:
    code = exc.code or 0
print(f"EXIT={{code}}", file=sys.stderr)
print("MODULES=" + ",".join(sorted(sys.modules)), file=sys.stderr)
"""
