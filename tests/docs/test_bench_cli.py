"""`bench/run`'s arguments: no section means all of them (README's first bench command)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import bench as module

    yield module
    for name in ("bench", "harness"):  # bench.py puts its own folder on sys.path too
        sys.modules.pop(name, None)
    while str(BENCH) in sys.path:
        sys.path.remove(str(BENCH))


def test_no_section_runs_every_section(bench):
    assert bench.parse_args([]).sections == bench.SECTIONS
    assert bench.parse_args(["all", "--quick"]).sections == bench.SECTIONS


def test_sections_run_in_their_own_order(bench):
    assert bench.parse_args(["inbox", "startup"]).sections == ("startup", "inbox")


def test_an_unknown_section_is_refused(bench, capsys):
    with pytest.raises(SystemExit) as info:
        bench.parse_args(["nope"])
    assert info.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
