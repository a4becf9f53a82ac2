"""Fixtures for the bulk tests: every CloseClient a command creates talks to one fake_close.FakeTaskApi."""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_close import KEY, FakeTaskApi


@pytest.fixture
def api(home, route_clients, monkeypatch) -> FakeTaskApi:
    """No tasks yet (the tests add theirs); commands run with a key and talk to this fake."""
    monkeypatch.setenv("CLOSE_API_KEY", KEY)
    return route_clients(FakeTaskApi())


@pytest.fixture
def state(home) -> Path:
    """The default profile's state directory (journal, lock)."""
    return home / "state" / "profiles" / "default"
