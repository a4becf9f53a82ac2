"""Shared constants and helpers of the sandbox tests (a unique module name: pytest puts each
test directory on sys.path)."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx

from closetask.sandbox.app import SandboxApp
from closetask.sandbox.store import Store

# Saturday 28 Nov 2026, 12:00 UTC: local dates differ across the tested offsets
# (-8: 04:00 on the 28th, +5.5: 17:30 on the 28th, +13: 01:00 on the 29th).
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
BASE = "http://sandbox.local/api/v1/"


def client_for(app: SandboxApp, key: str | None, offset: str | None = "0") -> httpx.Client:
    headers = {"X-TZ-Offset": offset} if offset is not None else {}
    auth = (key, "") if key is not None else None
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE, auth=auth, headers=headers)


def me(store: Store) -> dict:
    return store.users()[0]


def a_lead(store: Store, index: int = 0) -> dict:
    return store.leads()[index]


def add(c: httpx.Client, lead_id: str, when: str | None, text: str = "", **extra) -> dict:
    """POST a lead task and return it (asserting 200)."""
    body = {"lead_id": lead_id, "text": text or (when or "dateless"), **extra}
    if when is not None:
        body["date"] = when
    r = c.post("task/", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def texts(c: httpx.Client, **params) -> list[str]:
    r = c.get("task/", params=params)
    assert r.status_code == 200, r.text
    return [t["text"] for t in r.json()["data"]]
