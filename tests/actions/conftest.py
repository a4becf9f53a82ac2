"""Fixtures for the action and undo tests: a stateful fake Close at the transport that every
CloseClient a command creates is routed to, and helpers for row refs and the journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_close import KEY, FakeTaskApi, make_task


@pytest.fixture
def api(home, route_clients, monkeypatch) -> FakeTaskApi:
    """Five lead tasks and one missed call; commands run with a key and talk to this fake."""
    fake = FakeTaskApi()
    fake.add(*(make_task(n) for n in range(1, 6)))
    fake.add(make_task(6, _type="missed_call", text=None, phone_formatted="+1 415-555-0100"))
    monkeypatch.setenv("CLOSE_API_KEY", KEY)
    return route_clients(fake)


def state_dir(home: Path) -> Path:
    return home / "state" / "profiles" / "default"


@pytest.fixture
def rows(home):
    """rows(ids...) saves a listing so that row numbers mean those task IDs."""

    def save(*ids: str) -> None:
        from closetask.core.refs import rows_file

        from sandboxproc import TEST_TTY

        path = state_dir(home) / rows_file(TEST_TTY)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"command": "inbox", "saved_at": "2026-11-28T10:00:00+00:00", "ids": list(ids)}))

    return save


@pytest.fixture
def journal_path(home) -> Path:
    return state_dir(home) / "journal.jsonl"
