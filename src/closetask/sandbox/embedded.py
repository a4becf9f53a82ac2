"""The sandbox in-process, for `closetask --sandbox <command>`: an httpx transport over the app.

The database is created and seeded with demo data on first use. httpx is imported inside
`transport()`: the only httpx use in the sandbox package.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from closetask.sandbox.faults import Faults

BASE_URL = "http://sandbox.local/api/v1/"


def open_store(db_path: Path | str, *, now: datetime | None = None):
    """Open (create) the database and seed the demo on first use."""
    from closetask.sandbox.seed import ensure_seeded
    from closetask.sandbox.store import Store

    store = Store(db_path)
    ensure_seeded(store, now=now)
    return store


def api_key(db_path: Path | str) -> str:
    """The sandbox's API key (seeding the database first if it is empty)."""
    store = open_store(db_path)
    try:
        return store.api_key or ""
    finally:
        store.close()


def transport(
    db_path: Path | str, *, now: datetime | None = None, faults: "Faults | None" = None
) -> "httpx.WSGITransport":
    """An httpx transport answering like Close from the sandbox database at db_path.

    `now` fixes the clock (seeding and views); without it CLOSETASK_NOW or the real time.
    `faults` injects latency, errors and rate limits in-process (a dropped connection
    becomes httpx.RemoteProtocolError, as from a real socket).
    Use with base URL `http://sandbox.local/api/v1/` and the key from `api_key()`.
    """
    import httpx

    from closetask.sandbox.app import SandboxApp
    from closetask.sandbox.faults import ConnectionDropped

    store = open_store(db_path, now=now)
    app = SandboxApp(store, faults=faults, clock=(lambda: now) if now is not None else None)

    class SandboxTransport(httpx.WSGITransport):
        """Turns a dropped connection into the error a real socket would give."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            try:
                return super().handle_request(request)
            except ConnectionDropped as exc:
                raise httpx.RemoteProtocolError(str(exc), request=request) from exc

        def close(self) -> None:
            store.close()

    return SandboxTransport(app=app)
