"""Close's task endpoints (the seed page: /api/v1/task/), named in one place.

Paths only: core plans requests with them, the client sends them.
"""

from __future__ import annotations

TASKS = "task/"  # GET lists, POST creates, PUT with filters updates in bulk


def task_path(task_id: str) -> str:
    """One task: GET, PUT and DELETE."""
    return f"{TASKS}{task_id}/"


APP = "https://app.close.com"  # Close's web app, where a person opens a lead


def lead_address(lead_id: str) -> str:
    """The lead's page in Close's web app (its tasks are listed there)."""
    return f"{APP}/lead/{lead_id}/"
