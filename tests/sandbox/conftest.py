"""Sandbox fixtures: an in-memory store with demo data at a fixed now, and httpx clients
talking to the WSGI app in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from closetask.sandbox.app import SandboxApp
from closetask.sandbox.seed import reset
from closetask.sandbox.store import Store

from sandbox_helpers import NOW, client_for


@pytest.fixture(autouse=True)
def _no_env_clock(monkeypatch):
    monkeypatch.delenv("CLOSETASK_NOW", raising=False)


def _seeded(tasks: int) -> Iterator[Store]:
    s = Store()
    reset(s, tasks=tasks, seed=1, now=NOW)
    yield s
    s.close()


@pytest.fixture
def store() -> Iterator[Store]:
    """Demo data: 60 tasks, seed 1, dated around NOW."""
    yield from _seeded(60)


@pytest.fixture
def empty_store() -> Iterator[Store]:
    """The organization, its users and leads, and no tasks."""
    yield from _seeded(0)


@pytest.fixture
def api(store) -> Callable[..., httpx.Client]:
    """api(offset="0", on=store, **SandboxApp options) -> an authorized in-process client."""

    def make(offset: str | None = "0", *, on: Store | None = None, **options) -> httpx.Client:
        target = on or store
        options.setdefault("clock", lambda: NOW)
        return client_for(SandboxApp(target, **options), target.api_key, offset)

    return make
