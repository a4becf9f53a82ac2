"""Shared fixtures: an isolated CLOSETASK_HOME, the CLI run in-process (its CloseClients routed
to a fake with `route_clients`) and as the installed command, and `closetask sandbox serve`
running on loopback for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Every test runs at a fixed "now": Saturday 28 Nov 2026, 10:00 UTC. Tests never read the clock.
from sandboxproc import (  # noqa: F401 - re-exported for tests that import them from here
    ENV_TO_CLEAR as _ENV_TO_CLEAR,
)
from sandboxproc import (
    FIXED_NOW,
    TEST_TTY,
    SandboxServer,
    closetask_argv,
    start_sandbox,
    stop_sandbox,
)

# Property tests must not carry a hidden time limit: a slow CI machine or a cold zoneinfo
# load is not a failure (timed assertions stay out of the suite; bench/ measures time).
settings.register_profile("closetask", deadline=None)
settings.load_profile("closetask")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh CLOSETASK_HOME with a fixed clock and time zone (UTC)."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("CLOSETASK_HOME", str(path))
    monkeypatch.setenv("CLOSETASK_NOW", FIXED_NOW)
    monkeypatch.setenv("CLOSETASK_TZ", "UTC")
    monkeypatch.setenv("COLUMNS", "120")
    return path


@pytest.fixture
def route_clients(cli):
    """route_clients(fake) sends the requests of every `cli` run to fake.transport() (the
    run's Env carries it: no class is patched), retry waits skipped (or given to `sleep=`);
    route_clients(sleep=...) keeps the real transport."""

    def route(fake: Any = None, *, sleep: Callable[[float], None] = lambda seconds: None) -> Any:
        cli.route, cli.sleep = fake, sleep
        return fake

    return route


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(home, capsys, monkeypatch):
    """Run closetask in-process: cli("inbox", "--json") -> Result.

    Each run gets its own Env (env.py): `input` is stdin; `tty=("stdin",)` makes streams
    look like a terminal for that run, `cli.terminal.add("stdout")` for every run of a test.
    """
    from closetask.cli import main
    from closetask.env import Env

    terminal: set[str] = set()

    def run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None, tty: tuple[str, ...] = ()
    ) -> Result:
        import io

        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        stdin = io.StringIO(input or "")
        monkeypatch.setattr(sys, "stdin", stdin)  # typer.prompt reads the process's stdin
        ttys = terminal | set(tty)
        run_env = Env(
            stdin=stdin,
            stdin_tty="stdin" in ttys,
            stdout_tty="stdout" in ttys,
            stderr_tty="stderr" in ttys,
            tty_name=run.tty_name,  # the terminal row numbers belong to ("": none, as under cron)
            transport=run.route.transport() if run.route is not None else None,
            sleep=run.sleep,
        )
        capsys.readouterr()
        code = 0
        try:
            main(list(args), run_env)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    run.terminal = terminal  # type: ignore[attr-defined]
    run.route = None  # type: ignore[attr-defined]  # set by route_clients: where requests go
    run.sleep = None  # type: ignore[attr-defined]
    run.tty_name = TEST_TTY  # type: ignore[attr-defined]
    return run


@pytest.fixture
def sandbox_server(tmp_path):
    """`closetask sandbox serve` on a free loopback port with the default demo data."""
    server = start_sandbox(tmp_path)
    yield server
    stop_sandbox(server)


@pytest.fixture
def run(tmp_path):
    """Run the installed closetask as a subprocess: run(server, "inbox", "--json")."""
    user_home = tmp_path / "user-home"
    user_home.mkdir(exist_ok=True)

    def _run(
        server: SandboxServer | None,
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> Result:
        base = (
            server.env(user_home)
            if server
            else {
                **{k: v for k, v in os.environ.items() if k not in _ENV_TO_CLEAR},
                "CLOSETASK_HOME": str(user_home),
                "CLOSETASK_NOW": FIXED_NOW,
                "CLOSETASK_TZ": "UTC",
                "CLOSETASK_TTY": TEST_TTY,
            }
        )
        base.update(env or {})
        proc = subprocess.run(
            [*closetask_argv(), *args],
            input=input or "",
            env=base,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    _run.home = user_home  # type: ignore[attr-defined]
    return _run


# Fixtures that start a process or a server: a test using one is an end-to-end test, so that
# `pytest -m "not e2e"` stays the quick loop without anyone remembering to mark it.
_E2E_FIXTURES = {"run", "sandbox_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if _E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
