"""Shared fixtures: an isolated CLOSETASK_HOME, the CLI run in-process and as the installed
command, and `closetask sandbox serve` running on loopback for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# A fixed "now" for every test: Saturday 28 Nov 2026, 10:00 UTC. Tests never read the clock.
FIXED_NOW = "2026-11-28T10:00:00+00:00"
TEST_KEY = "api_TestKey1234567890.abcdefSECRET"

_ENV_TO_CLEAR = (
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
    """Run closetask in-process: cli("inbox", "--json") -> Result."""
    from closetask.cli import main

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        import io

        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(input or ""))
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


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
        return [l for l in lines if method is None or l.startswith(method + " ")]

    def env(self, home: Path) -> dict[str, str]:
        """Environment for running the installed closetask against this server."""
        env = {k: v for k, v in os.environ.items() if k not in _ENV_TO_CLEAR}
        env.update(
            CLOSETASK_HOME=str(home),
            CLOSE_API_KEY=self.api_key,
            CLOSETASK_BASE_URL=self.base_url,
            CLOSETASK_NOW=FIXED_NOW,
            CLOSETASK_TZ="UTC",
            COLUMNS="120",
        )
        return env


def start_sandbox(tmp_path: Path, *extra: str, tasks: int | None = None, seed: int = 1) -> SandboxServer:
    db = tmp_path / "sandbox.sqlite3"
    log = tmp_path / "requests.log"
    env = {k: v for k, v in os.environ.items() if k not in _ENV_TO_CLEAR}
    env.update(CLOSETASK_HOME=str(tmp_path / "server-home"), CLOSETASK_NOW=FIXED_NOW)
    if tasks is not None:
        subprocess.run(
            [*closetask_argv(), "sandbox", "reset", "--db", str(db), "--tasks", str(tasks), "--seed", str(seed)],
            env=env, check=True, capture_output=True, timeout=120,
        )
    process = subprocess.Popen(
        [*closetask_argv(), "sandbox", "serve", "--port", "0", "--db", str(db), "--api-key", TEST_KEY, "--log", str(log), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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

    def _run(server: SandboxServer | None, *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        base = server.env(user_home) if server else {
            **{k: v for k, v in os.environ.items() if k not in _ENV_TO_CLEAR},
            "CLOSETASK_HOME": str(user_home), "CLOSETASK_NOW": FIXED_NOW, "CLOSETASK_TZ": "UTC",
        }
        base.update(env or {})
        proc = subprocess.run(
            [*closetask_argv(), *args], input=input or "", env=base,
            capture_output=True, text=True, timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    _run.home = user_home  # type: ignore[attr-defined]
    return _run
