"""Fixtures for the view tests: a fake Close at the transport (view_data.FakeClose) wired
into every AppContext, and a terminal-like stdout for table snapshots."""

from __future__ import annotations

import pytest

from view_data import FakeClose


@pytest.fixture
def fake(home, monkeypatch) -> FakeClose:
    """Every AppContext gets a CloseClient wired to this fake (no key or network needed)."""
    import httpx

    from closetask.close.http import CloseClient
    from closetask.context import AppContext

    server = FakeClose()

    def client(self: AppContext) -> CloseClient:
        if self._client is None:
            self._client = CloseClient(
                "https://api.close.com/api/v1/",
                "api_test",
                self.tz,
                transport=httpx.MockTransport(server.handler),
                clock=self.now,
                sleep=lambda seconds: None,
            )
        return self._client

    monkeypatch.setattr(AppContext, "client", client)
    return server


@pytest.fixture
def tty(monkeypatch):
    """stdout looks like a 100-column terminal without colour (for table snapshots)."""
    from rich.console import Console

    from closetask.context import AppContext

    monkeypatch.setattr(AppContext, "stdout_isatty", property(lambda self: True))
    monkeypatch.setattr(
        AppContext,
        "out",
        property(
            lambda self: Console(width=100, color_system=None, force_terminal=False, highlight=False, soft_wrap=False)
        ),
    )
