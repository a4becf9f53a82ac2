"""Addresses of Close's web app (what `triage`'s `o` opens and `y` copies)."""

from __future__ import annotations

APP_URL = "https://app.close.com/"


def lead_page(lead_id: str) -> str:
    """`https://app.close.com/lead/<lead_id>/`: the lead's page, where its tasks are."""
    return f"{APP_URL}lead/{lead_id}/"
