"""Answers real Close gave (copied from ../shared/close-samples/, see recorded/README.md).

The tests read these copies, never ../shared, so the suite runs from a clean clone alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).parent / "recorded"
# The three task types Close has been recorded answering, each with its file.
TASK_SAMPLES = {
    "lead": ("task_lead_closex_create.json", "task_lead_closex_create_complete.json", "task_lead_airbyte_1.json"),
    "email_followup": ("task_email_followup_airbyte_1.json",),
    "opportunity_due": ("task_opportunity_due_airbyte_1.json",),
}


def recorded_text(name: str) -> str:
    """A recorded answer exactly as Close sent it (key order, escapes and all)."""
    return (RECORDED / name).read_text(encoding="utf-8")


def recorded(name: str) -> Any:
    return json.loads(recorded_text(name))


def recorded_tasks() -> list[dict]:
    """Every recorded task object, lead tasks first."""
    return [recorded(name) for names in TASK_SAMPLES.values() for name in names]
