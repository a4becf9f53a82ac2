"""Close's task endpoints (the seed page: /api/v1/task/), named in one place.

Paths only: core plans requests with them, the client sends them.
"""

from __future__ import annotations

TASKS = "task/"  # GET lists, POST creates, PUT with filters updates in bulk


def task_path(task_id: str) -> str:
    """One task: GET, PUT and DELETE."""
    return f"{TASKS}{task_id}/"
