"""What the fault suite reads back: a command's outcome, the sandbox's request log, and the
server's own state straight from its database (so that checking state sends no request that
would count against a rate limit or show in the log)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandboxproc import ENV_TO_CLEAR, FIXED_NOW, TEST_TTY, SandboxServer, closetask_argv, seed_stale_tasks


@dataclass
class Ran:
    args: list[str]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def clean(self) -> Ran:
        """No traceback and no catch-all 'unexpected error': every failure was foreseen."""
        assert "Traceback" not in self.output, self.output
        assert "unexpected error" not in self.stderr, self.stderr
        return self

    def fails(self, code: int) -> str:
        """Assert exit `code` with a one-line `error:` message (plus an optional hint); return it."""
        self.clean()
        assert self.exit_code == code, (self.args, self.exit_code, self.stderr)
        errors = [line for line in self.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, self.stderr
        return errors[0]


def closetask_env(server: SandboxServer | None, home: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    if server is not None:
        base = server.env(home)
    else:
        base = {k: v for k, v in os.environ.items() if k not in ENV_TO_CLEAR}
        base.update(
            CLOSETASK_HOME=str(home), CLOSETASK_NOW=FIXED_NOW, CLOSETASK_TZ="UTC", COLUMNS="120", CLOSETASK_TTY=TEST_TTY
        )
    base.update(env or {})
    return base


def run_closetask(
    server: SandboxServer | None,
    *args: str,
    home: Path,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> Ran:
    """The installed closetask as a subprocess, against `server` (or none), in `home`."""
    home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [*closetask_argv(), *args],
        input=input or "",
        env=closetask_env(server, home, env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Ran(list(args), proc.returncode, proc.stdout, proc.stderr)


@dataclass(frozen=True)
class Logged:
    method: str
    target: str
    status: str  # "200", "429", ... or "RESET"

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


def logged(server: SandboxServer, since: int = 0) -> list[Logged]:
    out = []
    for line in server.requests()[since:]:
        method, target, status = line.split(" ")
        out.append(Logged(method, target, status))
    return out


def mark(server: SandboxServer) -> int:
    return len(server.requests())


def db_tasks(server: SandboxServer | Path) -> dict[str, dict[str, Any]]:
    """Every task in the server's database, by ID."""
    from closetask.sandbox.store import TASK_COLUMNS, Store, _task

    store = Store(server.db if isinstance(server, SandboxServer) else server)
    try:
        rows = store._read(f"SELECT {TASK_COLUMNS} FROM tasks")
    finally:
        store.close()
    return {row[0]: _task(row) for row in rows}


def db_users(server: SandboxServer) -> list[dict[str, Any]]:
    """The organization's users; the first one is the key's user ("me")."""
    from closetask.sandbox.store import Store

    store = Store(server.db)
    try:
        return store.users()
    finally:
        store.close()


def journal(home: Path, profile: str = "default") -> Path:
    return home / "state" / "profiles" / profile / "journal.jsonl"


def journal_entries(home: Path, profile: str = "default") -> list[Any]:
    from closetask.state.journal import UndoJournal

    warnings: list[str] = []
    entries = UndoJournal(journal(home, profile), warn=warnings.append).entries()
    assert warnings == [], warnings
    return entries


def journal_lines(home: Path) -> list[dict[str, Any]]:
    """Every record, each line parsed (fails on a corrupt line)."""
    return [json.loads(line) for line in journal(home).read_text().splitlines() if line.strip()]


def one_line_error(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, text
    return lines[0]


def write_profile(home: Path, **settings) -> None:
    """The default profile with these settings (what `closetask config set` writes)."""
    from closetask import config

    config.save_file({"default_profile": "default", "profiles": {"default": settings}}, home / "config.toml")


# Lead tasks are task_, the tasks Close makes itself noti_ (tests/recorded/).
TASK_ID = re.compile(r"^(task|noti)_[A-Za-z0-9]+$")


def seed_stale(server: SandboxServer, count: int, *, start: int = 0) -> list[str]:
    """`count` of my incomplete lead tasks, stale on the fixed today (2026-11-28)."""
    return seed_stale_tasks(server.db, count, id_prefix="Fault", first=start)


def completed(server: SandboxServer, ids) -> set[str]:
    tasks = db_tasks(server)
    return {i for i in ids if tasks[i]["is_complete"]}


def put_ids(line: Logged) -> list[str]:
    from urllib.parse import parse_qsl, urlsplit

    query = dict(parse_qsl(urlsplit(line.target).query))
    return query["id__in"].split(",") if "id__in" in query else [line.path.rstrip("/").rsplit("/", 1)[1]]
