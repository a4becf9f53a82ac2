"""Fixtures for the bulk tests: every CloseClient a command creates talks to one FakeClose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk_fake import KEY, FakeClose


@pytest.fixture
def api(home, monkeypatch) -> FakeClose:
    from closetask import api as api_module

    fake = FakeClose()
    real = api_module.CloseClient

    class Routed(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["transport"] = fake.transport()
            kwargs["sleep"] = lambda seconds: None
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(api_module, "CloseClient", Routed)
    monkeypatch.setenv("CLOSE_API_KEY", KEY)
    return fake


@pytest.fixture
def state(home) -> Path:
    """The default profile's state directory (journal, lock)."""
    return home / "state" / "profiles" / "default"
