"""The fake Close and the task data the view tests share (imported by conftest and tests)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

ME = {"id": "user_MeMeMeMeMeMeMeMeMe01", "email": "rep@example.com", "first_name": "Rita", "last_name": "Rep"}
OTHER = {"id": "user_OtherOtherOther02", "email": "sam@example.com", "first_name": "Sam", "last_name": "Seller"}


@dataclass
class FakeClose:
    """Answers like Close would, except that task order is whatever `shuffle` makes it."""

    tasks: list[dict[str, Any]] = field(default_factory=list)
    shuffle: int | None = None  # a seed: pages cut from a shuffled list
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def handler(self, request: Any) -> Any:
        import httpx

        path = request.url.path.removeprefix("/api/v1/")
        params = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        self.requests.append((request.method, path, params))
        if path == "me/":
            return httpx.Response(200, json={**ME, "organizations": [{"id": "orga_X", "name": "Example"}]})
        if path == "user/":
            return httpx.Response(200, json={"data": [ME, OTHER], "has_more": False})
        if path == "task/":
            rows = list(self.tasks)
            if self.shuffle is not None:
                random.Random(self.shuffle).shuffle(rows)
            if params.get("_order_by") == "date_created":  # a full listing, read by ranges
                # Odd objects (no date_created, not even a dict) sort first, as any bound drops them.
                def created(t: Any) -> str:
                    return str(t.get("date_created") or "") if isinstance(t, dict) else ""

                rows = sorted(rows, key=lambda t: (created(t), str(t.get("id")) if isinstance(t, dict) else ""))
                if "date_created__gte" in params:
                    rows = [t for t in rows if created(t) >= params["date_created__gte"]]
            skip, limit = int(params.get("_skip", 0)), int(params.get("_limit", 100))
            page = rows[skip : skip + limit]
            return httpx.Response(200, json={"data": page, "has_more": skip + limit < len(rows)})
        return httpx.Response(404, json={"error": "not found"})

    def task_requests(self) -> list[dict[str, str]]:
        return [params for method, path, params in self.requests if path == "task/"]

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


def task(task_id: str, kind: str, date: str, **extra: Any) -> dict[str, Any]:
    """A task object shaped like Close's, with the fields every type has."""
    return {
        "id": task_id,
        "_type": kind,
        "lead_id": extra.pop("lead_id", "lead_" + task_id[5:]),
        "lead_name": extra.pop("lead_name", "Acme Corp"),
        "date": date,
        "is_complete": False,
        "assigned_to": ME["id"],
        "assigned_to_name": "Rita Rep",
        "date_created": extra.pop("date_created", "2026-11-01T12:00:00+00:00"),
        **extra,
    }


def dump(tasks: list[dict[str, Any]]) -> str:
    return json.dumps(tasks, indent=2, ensure_ascii=False)


def T(n: int) -> str:
    """A task ID that reads as its number: task_..01."""
    return f"task_{n:020d}"


# Every type, date-only and timed rows, overdue days, today, tomorrow and later; "now" is
# Saturday 28 Nov 2026 10:00 UTC (tests/conftest.py). Listed out of order on purpose.
DATASET = [
    task(
        T(7),
        "opportunity_due",
        "2026-12-04",
        lead_name="Umbrella Health",
        opportunity_value=1200000,
        opportunity_value_currency="USD",
        opportunity_value_formatted="$12,000",
        opportunity_note="Annual plan, 40 seats",
    ),
    task(
        T(3),
        "incoming_email",
        "2026-11-28T09:30:00+00:00",
        lead_name="Initech",
        subject="Re: pricing for 40 seats",
        body_preview="Hi Rita, thanks for...",
        emails=["acti_1", "acti_2"],
        priority="high",
    ),
    task(T(1), "lead", "2026-11-26", text="Call about the renewal"),
    task(
        T(5),
        "voicemail",
        "2026-11-28T08:15:00+00:00",
        lead_name="Stark Industries",
        phone="+442079460958",
        phone_formatted="+44 20 7946 0958",
        voicemail_duration=42,
        voicemail_url="https://example.com/vm.mp3",
    ),
    task(
        T(4),
        "lead",
        "2026-11-28",
        lead_name="Wayne Enterprises",
        text="Send the signed contract back to legal and confirm the start date with procurement before Friday",
    ),
    task(
        T(2),
        "missed_call",
        "2026-11-26T15:04:00+00:00",
        lead_name="Globex",
        phone="+14155550100",
        phone_formatted="+1 415-555-0100",
        local_phone="+14155550000",
    ),
    task(
        T(9), "answered_detached_call", "2026-11-27T23:30:00+00:00", lead_name=None, lead_id=None, phone="+16465550142"
    ),
    task(
        T(6), "email_followup", "2026-11-29", lead_name="Hooli", subject="Following up on our demo", email_id="acti_9"
    ),
    task(
        T(8),
        "incoming_sms",
        "2026-12-04T16:45:00+00:00",
        lead_name="Soylent",
        remote_phone="+12125550199",
        remote_phone_formatted="+1 212-555-0199",
        text="Can we move the call to 5pm?\nThanks",
    ),
]
