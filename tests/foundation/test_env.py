"""An Env (env.py) carries a run's environment, streams, TTY flags and clock: main(argv, env)
uses it and nothing else, so a program or a test can run closetask without touching the
process's own environment."""

from __future__ import annotations

import io
import os
from datetime import datetime, timezone

import pytest

from closetask.cli import main
from closetask.env import Env
from closetask.errors import UsageError

NOW = "2026-11-28T10:00:00+00:00"


def run(argv: list[str], env: Env) -> int:
    try:
        main(argv, env)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0


def test_paths_come_from_the_env_not_the_process(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOSETASK_HOME", str(tmp_path / "process-home"))
    out = io.StringIO()
    env = Env(environ={"CLOSETASK_HOME": str(tmp_path / "env-home")}, stdout=out, stderr=io.StringIO())
    assert run(["config", "path"], env) == 0
    assert out.getvalue() == f"{tmp_path / 'env-home' / 'config.toml'}\n"


def test_the_sandbox_runs_on_the_envs_clock_and_streams(tmp_path, monkeypatch):
    for name in ("CLOSETASK_NOW", "CLOSETASK_HOME", "CLOSETASK_TZ", "CLOSE_API_KEY", "CLOSETASK_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    environ = {"CLOSETASK_HOME": str(tmp_path), "CLOSETASK_NOW": NOW, "CLOSETASK_TZ": "UTC", "PATH": os.environ["PATH"]}
    out, err = io.StringIO(), io.StringIO()
    assert run(["--sandbox", "inbox", "--json"], Env(environ=environ, stdout=out, stderr=err)) == 0, err.getvalue()
    tasks = __import__("json").loads(out.getvalue())
    assert tasks and all(t["date"][:10] <= "2026-11-28" for t in tasks)  # the inbox of the env's day
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()


def test_tty_flags_are_what_the_env_says():
    plain = Env(stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO())
    assert (plain.stdin_isatty, plain.stdout_isatty, plain.stderr_isatty) == (False, False, False)
    told = Env(stdin=io.StringIO(), stdin_tty=True, stdout_tty=True)
    assert told.stdin_isatty and told.stdout_isatty


def test_the_clock_is_fixed_by_closetask_now_and_checked():
    assert Env(environ={"CLOSETASK_NOW": "2026-11-28T10:00:00Z"}).now() == datetime(
        2026, 11, 28, 10, tzinfo=timezone.utc
    )
    assert Env(environ={"CLOSETASK_NOW": "2026-11-28T10:00:00"}).now().tzinfo is timezone.utc
    with pytest.raises(UsageError, match="is not an ISO date-time"):
        Env(environ={"CLOSETASK_NOW": "soon"}).now()
    assert Env(environ={}).now().tzinfo is not None
