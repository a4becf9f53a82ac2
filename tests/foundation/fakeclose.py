"""A fake Close at the transport (httpx.MockTransport) that records every request, and the
waits and notices of the client using it. Imported by the foundation tests and their conftest."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

FIXED = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)

ME = {
    "id": "user_0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
    "email": "rep@example.com",
    "first_name": "Rita",
    "last_name": "Rep",
    "organizations": [{"id": "orga_1", "name": "Acme Corp"}],
}


def basic(key: str) -> str:
    """The Authorization header Close expects: Basic auth with the key and an empty password."""
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@dataclass
class FakeClose:
    """A recording handler for httpx.MockTransport.

    `routes` maps (METHOD, path after /api/v1/) to a list of answers used in turn (the last one
    repeats); an answer is an httpx.Response, an exception to raise, or a callable
    (request -> Response).
    """

    routes: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, method: str, path: str, *answers: Any) -> FakeClose:
        self.routes[(method, path)] = list(answers)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        path = request.url.path.removeprefix("/api/v1/")
        with self._lock:
            self.requests.append(request)
            answers = self.routes.get((request.method, path))
            if not answers:
                return httpx.Response(404, json={"error": f"no route {request.method} {path}"})
            answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        # A Response can be returned only once (its stream is consumed): copy it.
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def client(
        self,
        tz: str | Any = "UTC",
        *,
        key: str = "api_KEY",
        clock: Callable[[], datetime] = lambda: FIXED,
        **kwargs: Any,
    ):
        from closetask.close.http import CloseClient
        from closetask.core.timezone import TimeZone

        return CloseClient(
            kwargs.pop("base_url", "https://api.close.com/api/v1/"),
            key,
            TimeZone.parse(tz) if isinstance(tz, str) else tz,
            transport=self.transport(),
            clock=clock,
            sleep=self.sleeps.append,
            notify=self.notices.append,
            **kwargs,
        )

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def respond(
    status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None, content: bytes | None = None
) -> httpx.Response:
    if content is None:
        content = b"" if body is None else json.dumps(body).encode()
    headers = dict(headers or {})
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    return httpx.Response(status, headers=headers, content=content)
