"""Fixtures for the fault suite: `closetask sandbox serve` with fault options, each in its own
directory, stopped after the test; and the installed closetask run against any of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from fault_server import Ran, run_closetask
from sandboxproc import SandboxServer, start_sandbox, stop_sandbox


@pytest.fixture
def serve(tmp_path):
    """serve(*serve_options, tasks=N, at="name") -> a running server. Servers started with the
    same `at` share one database file (and request log)."""
    started: list[SandboxServer] = []

    def start(*options: str, tasks: int | None = None, at: str = "server") -> SandboxServer:
        where = tmp_path / at
        where.mkdir(exist_ok=True)
        server = start_sandbox(where, *options, tasks=tasks)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_sandbox(server)


@pytest.fixture
def user(tmp_path):
    """user(server, *args, home=, env=, input=) -> Ran: the installed closetask as a subprocess
    against `server` (or none), with its own CLOSETASK_HOME (default: one per test)."""
    default_home = tmp_path / "user-home"

    def run(server: SandboxServer | None, *args: str, home: Path | None = None, **options) -> Ran:
        return run_closetask(server, *args, home=home or default_home, **options)

    run.home = default_home  # type: ignore[attr-defined]
    return run


@pytest.fixture
def against(cli, home, monkeypatch):
    """against(server, *args) -> Ran: closetask in-process, over HTTP to `server`, with the HTTP
    layer's back-off waits recorded in `against.sleeps` instead of slept (the retries are the
    product's; only the clock is skipped). For faults whose back-off would dominate the run."""
    from closetask.close import http as api_module

    sleeps: list[float] = []
    real = api_module.CloseClient

    class NoSleep(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            kwargs["sleep"] = sleeps.append
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(api_module, "CloseClient", NoSleep)

    def run(server: SandboxServer, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Ran:
        result = cli(
            *args,
            input=input,
            env={"CLOSE_API_KEY": server.api_key, "CLOSETASK_BASE_URL": server.base_url, **(env or {})},
        )
        return Ran(list(args), result.exit_code, result.stdout, result.stderr)

    run.sleeps = sleeps  # type: ignore[attr-defined]
    run.home = home  # type: ignore[attr-defined]
    return run
