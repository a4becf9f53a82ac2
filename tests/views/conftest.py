"""Fixtures for the view tests: a fake Close at the transport (view_data.FakeClose) wired
into every Session, and a terminal-like stdout for table snapshots."""

from __future__ import annotations

import pytest

from view_data import FakeClose


@pytest.fixture
def fake(home, monkeypatch) -> FakeClose:
    """Every Session gets a CloseClient wired to this fake (no key or network needed)."""
    import httpx

    from closetask.close.http import CloseClient
    from closetask.session import Session

    server = FakeClose()

    def client(self: Session) -> CloseClient:
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

    monkeypatch.setattr(Session, "client", client)
    return server


@pytest.fixture
def tty(cli, monkeypatch):
    """stdout is a 100-column terminal (for table snapshots); Rich still sees a captured
    stream, so it draws no colour."""
    cli.terminal.add("stdout")
    monkeypatch.setenv("COLUMNS", "100")
