"""ruff (lint and format) and mypy, as configured in pyproject.toml, pass on the whole tree.

Run here so that the README's one test command (and so CI) checks them: a pull request that
drifts fails with the tool's own report, not in a later session's diff.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "args",
    [("ruff", "check", "src", "tests", "bench"), ("ruff", "format", "--check", "src", "tests", "bench"), ("mypy",)],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_the_tree_is_clean(args):
    proc = tool(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
