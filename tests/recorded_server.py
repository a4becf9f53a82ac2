"""A loopback HTTP server that answers with the task objects real Close sent (tests/recorded/).

The real `closetask` (a subprocess) talks to it over HTTP as it would to Close; the tests read
its state back with plain HTTP. It serves each recorded object exactly as recorded (the same
keys in the same order, `noti_` IDs, no `due_date` on system tasks, U+00A0 in a name), and
applies changes with FakeTaskApi's rules. The sandbox cannot stand in for this: it mints
its own objects, and the point is to meet Close's.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from fake_close import FakeTaskApi, Sent
from recorded_close import recorded, recorded_tasks
from sandboxproc import server_env

KEY = "recorded-close-test-key"
# The account the Airbyte sync was made with: the recorded tasks are assigned to it.
ME = {
    "id": "user_SOwJFVMqtgZCL6QrMDLujSXbQabQnNfOwjFX1mdOulg",
    "email": "team@airbyte.io",
    "first_name": "Airbyte",
    "last_name": "Team",
    "organizations": [{"id": "orga_ya3w9oMjeLtWe7zFGZr63Dz8ruBbjybG0EIUdUXaESi", "name": "Airbyte"}],
}


class RecordedCloseApi(FakeTaskApi):
    """FakeTaskApi's rules, with /me/ and /user/ as the recorded account has them."""

    def route(self, s: Sent) -> httpx.Response:
        if s.path == "me/" and s.method == "GET":
            return httpx.Response(200, json=ME)
        if s.path == "user/" and s.method == "GET":
            users = [
                {**ME, "organizations": [o["id"] for o in ME["organizations"]]},
                *recorded("users_list_closex_2017.json")["data"],
            ]
            return httpx.Response(200, json={"data": users, "has_more": False})
        return super().route(s)

    def _apply(self, task: dict[str, Any], body: dict[str, Any]) -> None:
        # FakeTaskApi names assignees from its own users; keep the recorded ones' shape.
        task.update(body)
        if "is_complete" in body:
            task["view"] = "archive" if body["is_complete"] else "inbox"


@dataclass
class RecordedServer:
    base_url: str
    api: RecordedCloseApi
    api_key: str = KEY

    def env(self, home: Path) -> dict[str, str]:
        return server_env(self.base_url, self.api_key, home, columns=160)

    def get(self, path: str, **params: str) -> Any:
        """Read the server's state by plain HTTP, as any client would."""
        response = httpx.get(self.base_url + path, params=params, auth=(self.api_key, ""))
        response.raise_for_status()
        return response.json()


def serve_recorded() -> tuple[RecordedServer, ThreadingHTTPServer]:
    api = RecordedCloseApi().add(*recorded_tasks())

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = httpx.Request(
                self.command,
                f"http://test{self.path}",
                headers=dict(self.headers),
                content=self.rfile.read(length) if length else b"",
            )
            response = api.handler(request)
            body = response.read()
            self.send_response(response.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_POST = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/api/v1/"
    return RecordedServer(base, api), httpd


def raw_objects() -> dict[str, str]:
    """Each recorded task as compact JSON text in its recorded key order, by ID."""
    return {t["id"]: json.dumps(t, ensure_ascii=False) for t in recorded_tasks()}
