"""`closetask ... | head -1` under `set -o pipefail`: the reader going away is not an error.

The installed command in a real shell pipeline against the embedded sandbox, each output mode
many times: whether the pipe breaks during a write, at the final flush or not at all (head
may exit before or after closetask writes) varies run to run, and every one must exit 0
with nothing on stderr.
"""

from __future__ import annotations

import os
import shlex
import subprocess

import pytest

from sandboxproc import ENV_TO_CLEAR, FIXED_NOW, TEST_TTY, closetask_argv

pytestmark = pytest.mark.e2e

RUNS = 8  # per mode: enough that both orders of head's exit and closetask's writes occur

MODES = {
    "tsv": "inbox --assignee all",
    "ids": "inbox --assignee all --ids",
    "jsonl": "inbox --assignee all --jsonl",
    "json": "inbox --assignee all --json",
    "table": "inbox --assignee all --table",
    "archive": "archive --assignee all",
    "bulk --dry-run": "bulk --assignee all --before +30d --complete --dry-run --max 5000",
    "undo --list": "undo --list",
    "--help": "inbox --help",
}


@pytest.fixture
def shell_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ENV_TO_CLEAR}
    env.update(
        CLOSETASK_HOME=str(tmp_path / "home"),
        CLOSETASK_NOW=FIXED_NOW,
        CLOSETASK_TZ="UTC",
        CLOSETASK_TTY=TEST_TTY,
        COLUMNS="120",
    )
    closetask = shlex.join(closetask_argv())
    # Thousands of tasks, so every mode writes more than a pipe holds (64 KiB), and a few
    # journal entries for undo --list.
    setup = (
        f"{closetask} sandbox reset --tasks 3000 --seed 1 && "
        f"{closetask} --sandbox inbox --assignee all --ids --limit 3 | {closetask} --sandbox done - && "
        f"{closetask} --sandbox inbox --assignee all --ids --limit 2 | {closetask} --sandbox reopen - --json >/dev/null"
    )
    subprocess.run(["bash", "-c", setup], env=env, check=True, capture_output=True, timeout=120)
    return env, closetask


def test_every_output_mode_exits_0_quietly_when_head_stops_reading(shell_env, tmp_path):
    env, closetask = shell_env
    lines = []
    for name, command in MODES.items():
        for _ in range(RUNS):
            err = tmp_path / f"err-{len(lines)}"
            lines.append(
                f"{closetask} --sandbox {command} 2>{shlex.quote(str(err))} | head -1 >/dev/null; "
                f"echo {shlex.quote(name)}$'\\t'$?$'\\t'{shlex.quote(str(err))}"
            )
    script = "set -o pipefail\n" + "\n".join(lines)
    proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=600)
    results = [line.split("\t") for line in proc.stdout.splitlines()]
    assert len(results) == len(MODES) * RUNS, proc.stderr
    failures = [(name, code, _read(path)) for name, code, path in results if code != "0" or _complaint(_read(path))]
    assert failures == []


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _complaint(stderr: str) -> bool:
    # bulk --dry-run reports its counts on stderr by design; anything about the pipe is wrong.
    return any(word in stderr for word in ("error", "Error", "Traceback", "Exception", "Broken pipe"))


def test_a_closed_stdout_is_one_line_not_an_internal_error(shell_env):
    env, closetask = shell_env
    proc = subprocess.run(
        ["bash", "-c", f"{closetask} --sandbox inbox --ids >&-"], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == "error: cannot print: stdout is closed"
    assert "unexpected" not in proc.stderr


def test_a_full_disk_under_stdout_says_so_in_one_line(shell_env):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    env, closetask = shell_env
    proc = subprocess.run(
        ["bash", "-c", f"{closetask} --sandbox inbox --json >/dev/full"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr == "error: cannot write to stdout: No space left on device\n"
