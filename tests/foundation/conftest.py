"""Fixtures for the foundation tests: a fake Close at the transport, shared by the HTTP-layer
tests (which build a CloseClient directly) and the CLI tests (which patch the CloseClient the
commands create, so every request they send is recorded and no wait is slept)."""

from __future__ import annotations

from typing import Any

import pytest

from fakeclose import FakeClose


@pytest.fixture
def fake() -> FakeClose:
    return FakeClose()


@pytest.fixture
def fake_cli(fake, monkeypatch) -> FakeClose:
    """Route every CloseClient a command creates to `fake`, with waits recorded, not slept."""
    from closetask import api

    real = api.CloseClient

    class Recorded(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["transport"] = fake.transport()
            kwargs["sleep"] = fake.sleeps.append
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(api, "CloseClient", Recorded)
    return fake


@pytest.fixture
def no_sleep(fake, monkeypatch) -> FakeClose:
    """Real network, but waits recorded instead of slept (for the closed-port test)."""
    from closetask import api

    real = api.CloseClient

    class Quick(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["sleep"] = fake.sleeps.append
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(api, "CloseClient", Quick)
    return fake
