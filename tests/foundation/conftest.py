"""Fixtures for the foundation tests: a fake Close at the transport, shared by the HTTP-layer
tests (which build a CloseClient directly) and the CLI tests (which patch the CloseClient the
commands create, so every request they send is recorded and no wait is slept)."""

from __future__ import annotations

import pytest

from fakeclose import FakeClose


@pytest.fixture
def fake() -> FakeClose:
    return FakeClose()


@pytest.fixture
def fake_cli(fake, route_clients) -> FakeClose:
    """Route every CloseClient a command creates to `fake`, with waits recorded, not slept."""
    return route_clients(fake, sleep=fake.sleeps.append)


@pytest.fixture
def no_sleep(fake, route_clients) -> FakeClose:
    """Real network, but waits recorded instead of slept (for the closed-port test)."""
    route_clients(sleep=fake.sleeps.append)
    return fake
