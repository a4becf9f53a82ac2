"""The sandbox's WSGI app: Close's task API over a Store (stdlib only, a small router).

Order of work for each request, as a real deployment layers them: latency, then injected
faults (a proxy failing before the API sees the request), then the key (401), then the rate
limit (429), then the endpoint.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import re
import threading
import time
import traceback
from datetime import datetime
from typing import Callable, TextIO
from urllib.parse import parse_qsl

from closetask.sandbox.faults import ConnectionDropped, FaultPlan, Faults, RateLimiter, fault_response
from closetask.sandbox.model import (
    APP_URL,
    day_ts,
    display_name,
    env_now,
    iso_instant,
    local_today,
    new_id,
    parse_offset,
    parse_when,
    render_task,
    view_of,
)
from closetask.sandbox.query import (
    MAX_SKIP,
    ApiError,
    invalid,
    not_found,
    parse_changes,
    parse_paging,
    parse_task_query,
)
from closetask.sandbox.store import Store, completion

UNAUTHORIZED = (
    "The server could not verify that you are authorized to access the URL requested. You "
    "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
    "understand how to supply the credentials required."
)
_STATUS = {
    200: "OK",
    400: "BAD REQUEST",
    401: "UNAUTHORIZED",
    404: "NOT FOUND",
    405: "METHOD NOT ALLOWED",
    415: "UNSUPPORTED MEDIA TYPE",
    429: "TOO MANY REQUESTS",
    500: "INTERNAL SERVER ERROR",
    502: "BAD GATEWAY",
    503: "SERVICE UNAVAILABLE",
    504: "GATEWAY TIMEOUT",
}
_PREFIX = "/api/v1/"
_ID = r"([^/]+)"
_CREATE_FIELDS = {"_type", "lead_id", "contact_id", "text", "date", "due_date", "assigned_to", "is_complete"}


class Request:
    """What a handler needs: method, query parameters, body, X-TZ-Offset and now."""

    def __init__(self, environ: dict, method: str, now: datetime) -> None:
        self.environ = environ
        self.method = method
        self.now = now
        self.params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        self.raw = _read_body(environ)
        self.offset = parse_offset(environ.get("HTTP_X_TZ_OFFSET"))
        # where the user's local tomorrow starts: the inbox/future line
        self.tomorrow_s = day_ts(local_today(now, self.offset)) + 86400 - self.offset * 3600

    def json(self) -> object:
        if not self.raw.strip():
            raise invalid(["The request body must be a JSON object."])
        ctype = self.environ.get("CONTENT_TYPE", "")
        if ctype and "json" not in ctype:
            raise ApiError(415, {"error": "Send JSON with Content-Type: application/json."})
        try:
            return json.loads(self.raw)
        except (ValueError, UnicodeDecodeError):
            raise invalid(["The request body is not valid JSON."]) from None


def _read_body(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


class SandboxApp:
    """Close's task API as a WSGI app. `api_key` overrides the key stored in the database."""

    def __init__(
        self,
        store: Store,
        *,
        faults: Faults | None = None,
        log: TextIO | None = None,
        clock: Callable[[], datetime] | None = None,
        api_key: str | None = None,
        max_skip: int = MAX_SKIP,
        hold: tuple[int, str] | None = None,
    ) -> None:
        self.store = store
        self.max_skip = max_skip
        # (N, path): the Nth GET /task/ waits for `path` to exist, so that a test can change
        # tasks between two pages of a listing, deterministically.
        self.hold = hold
        self._listings = 0
        self.faults = faults or Faults()
        self.plan = FaultPlan(self.faults)
        self.limiter = RateLimiter(self.faults.rate_limit)
        self.log = log
        self.clock = clock or env_now
        self.api_key = api_key
        self._log_lock = threading.Lock()
        self.routes: list[tuple[re.Pattern[str], dict[str, Callable]]] = [
            (re.compile(r"task/"), {"GET": self.list_tasks, "POST": self.create_task, "PUT": self.bulk_update}),
            (re.compile(rf"task/{_ID}/"), {"GET": self.get_task, "PUT": self.update_task, "DELETE": self.delete_task}),
            (re.compile(r"me/"), {"GET": self.me}),
            (re.compile(r"user/"), {"GET": self.list_users}),
            (re.compile(rf"user/{_ID}/"), {"GET": self.get_user}),
            (re.compile(rf"lead/{_ID}/"), {"GET": self.get_lead}),
        ]

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        query = environ.get("QUERY_STRING", "")
        target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)
        try:
            status, headers, body = self.respond(environ, method)
        except ConnectionDropped:
            self._log(f"{method} {target} RESET")
            raise
        headers.append(("Content-Length", str(len(body))))
        self._log(f"{method} {target} {status}")
        start_response(f"{status} {_STATUS.get(status, 'UNKNOWN')}", headers)
        return [body]

    def _log(self, line: str) -> None:
        if self.log is not None:
            with self._log_lock:
                self.log.write(line + "\n")
                self.log.flush()

    def respond(self, environ: dict, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
        failing = self.plan.should_fail(method)
        mode = self.faults.fail_mode
        if failing and mode == "reset":
            raise ConnectionDropped("sandbox fault: connection dropped before answering")
        if failing and mode != "reset-after":
            return fault_response(mode)
        answer = self._answer(environ, method)
        if failing:  # reset-after: the change is applied, the answer is lost
            raise ConnectionDropped("sandbox fault: connection dropped after applying the request")
        return answer

    def _answer(self, environ: dict, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
        key = self.api_key or self.store.api_key or ""
        user = _basic_user(environ.get("HTTP_AUTHORIZATION", ""))
        if user is None or not key or not hmac.compare_digest(user.encode(), key.encode()):
            state = self.limiter.hit("")  # one shared bucket: wrong keys are limited too
            headers = [("Content-Type", "application/json"), ("WWW-Authenticate", 'Basic realm="Close"')]
            return 401, headers + state.headers(), _json({"error": UNAUTHORIZED})
        # Close limits per key and endpoint group (path and method; close-api.md): each
        # task ID folds into one group.
        group = re.sub(r"/[a-z]+_[^/]+", "/{id}", environ.get("PATH_INFO", ""))
        state = self.limiter.hit(f"{key} {method} {group}")
        if not state.allowed:
            headers, body = self.limiter.refusal(state, self.faults.rate_limit_style)
            return 429, headers, body
        try:
            status, payload = self.dispatch(environ, method)
        except ApiError as exc:
            status, payload = exc.status, exc.body
        except Exception:  # a bug in the sandbox: answer like a server would, keep serving
            traceback.print_exc(file=environ.get("wsgi.errors"))
            status, payload = 500, {"error": "Internal Server Error"}
        return status, [("Content-Type", "application/json"), *state.headers()], _json(payload)

    def dispatch(self, environ: dict, method: str) -> tuple[int, object]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(_PREFIX):
            raise ApiError(404, {"error": "The requested URL was not found on the server."})
        now = self.clock()
        try:
            req = Request(environ, method, now)
        except ValueError as exc:  # X-TZ-Offset
            raise invalid([str(exc)]) from None
        # close-api.md: a long filter may come as POST {"_params": {...}} with this header.
        if method == "POST" and environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").upper() == "GET":
            body = req.json()
            params = body.get("_params") if isinstance(body, dict) else None
            if not isinstance(params, dict):
                raise invalid(['x-http-method-override: GET needs a body {"_params": {...}}.'])
            req.params = {str(k): _param(v) for k, v in params.items()}
            req.method = method = "GET"
        for pattern, handlers in self.routes:
            match = pattern.fullmatch(path[len(_PREFIX) :])
            if match:
                handler = handlers.get(method)
                if handler is None:
                    raise ApiError(405, {"error": "The method is not allowed for the requested URL."})
                return 200, handler(req, *match.groups())
        raise ApiError(404, {"error": "The requested URL was not found on the server."})

    # --- helpers ------------------------------------------------------------------------

    def _users(self) -> list[dict]:
        return self.store.users()

    def _names(self, users: list[dict] | None = None) -> dict[str, str]:
        return {u["id"]: display_name(u) for u in (users if users is not None else self._users())}

    def _render(self, task: dict, req: Request, names: dict[str, str], fields: list[str] | None = None) -> dict:
        view = view_of(bool(task.get("is_complete")), task["date"], req.offset * 3600, req.tomorrow_s)
        out = render_task(task, names, view)
        if fields:
            wanted = set(fields)
            out = {k: v for k, v in out.items() if k in wanted}
        return out

    def _query(self, req: Request, users: list[dict] | None = None):
        users = users if users is not None else self._users()
        memberships = {u["membership_id"]: u["id"] for u in users if u.get("membership_id")}
        return parse_task_query(
            req.params, offset_hours=req.offset, now=req.now, memberships=memberships, max_skip=self.max_skip
        )

    # --- tasks --------------------------------------------------------------------------

    def list_tasks(self, req: Request) -> dict:
        if self.hold is not None:
            with self._log_lock:
                self._listings += 1
                held = self._listings == self.hold[0]
            if held:
                deadline = time.monotonic() + 60
                while not os.path.exists(self.hold[1]) and time.monotonic() < deadline:
                    time.sleep(0.01)
        users = self._users()  # read once: the query's memberships and the names
        q = self._query(req, users)
        tasks, has_more = self.store.find(q.filter, order=q.order, skip=q.skip, limit=q.limit)
        names = self._names(users)
        return {"data": [self._render(t, req, names, q.fields) for t in tasks], "has_more": has_more}

    def get_task(self, req: Request, task_id: str) -> dict:
        task = self.store.task(task_id)
        if task is None:
            raise not_found()
        return self._render(task, req, self._names(), _fields(req))

    def create_task(self, req: Request) -> dict:
        body = req.json()
        if not isinstance(body, dict):
            raise invalid(["The request body must be a JSON object."])
        users = self._users()
        me = users[0]
        fields: dict[str, str] = {}
        for key in body.keys() - _CREATE_FIELDS:
            fields[key] = "Unknown field."
        if body.get("_type", "lead") != "lead":
            fields["_type"] = "Only tasks of type lead can be created."
        lead = None
        if not body.get("lead_id"):
            fields["lead"] = "This field is required."
        elif not isinstance(body["lead_id"], str) or (lead := self.store.lead(body["lead_id"])) is None:
            fields["lead"] = "Object does not exist."
        contact = None
        if body.get("contact_id") is not None and lead is not None:
            contact = next((c for c in lead.get("contacts", []) if c["id"] == body["contact_id"]), None)
            if contact is None:
                fields["contact"] = "Object does not exist."
        text = body.get("text", "")
        if not isinstance(text, str):
            fields["text"] = "Not a valid string."
        assigned_to = body.get("assigned_to") or me["id"]
        if assigned_to not in {u["id"] for u in users}:
            fields["assigned_to"] = "Object does not exist."
        is_complete = body.get("is_complete", False)
        if not isinstance(is_complete, bool):
            fields["is_complete"] = "Not a valid boolean."
        raw_date = body.get("date", body.get("due_date"))
        when = None
        if raw_date is not None:
            try:
                when = parse_when(raw_date)
            except ValueError as exc:
                fields["date"] = str(exc)
        if fields:
            raise invalid([], fields)
        assert lead is not None  # no field errors means the lead was found
        stamp = iso_instant(req.now)
        task = {
            "id": new_id("task"),
            "_type": "lead",
            "lead_id": lead["id"],
            "lead_name": lead["display_name"],
            "contact_id": contact["id"] if contact else None,
            "contact_name": contact["name"] if contact else None,
            "text": text,
            "date": when.text if when else local_today(req.now, req.offset).isoformat(),
            "is_dateless": when is None,
            "is_complete": is_complete,
            "assigned_to": assigned_to,
            "created_by": me["id"],
            "updated_by": me["id"],
            "organization_id": self.store.organization().get("id"),
            **completion(is_complete),
            "date_created": stamp,
            "date_updated": stamp,
            "is_new": False,
            "priority": None,
            "deduplication_key": None,
        }
        self.store.insert_task(task)
        return self._render(task, req, self._names(users))

    def update_task(self, req: Request, task_id: str) -> dict:
        task = self.store.task(task_id)
        if task is None:
            raise not_found()
        users = self._users()
        changes = parse_changes(
            req.json(),
            allowed=("assigned_to", "date", "is_complete", "text"),
            user_ids={u["id"] for u in users},
            text_ok=task["_type"] == "lead",
        )
        updated = self.store.update_task(task_id, changes, stamp=iso_instant(req.now), user_id=users[0]["id"])
        if updated is None:  # deleted in between
            raise not_found()
        return self._render(updated, req, self._names(users))

    def bulk_update(self, req: Request) -> dict:
        """Bulk PUT /task/?filters. Close's response body is undocumented (close-api.md:
        uncertain); we answer `{}` so that clients learn not to rely on a count."""
        q = self._query(req)
        if not q.filter.narrows():
            raise invalid(["Refusing to update every task: pass a filter such as id__in (a type alone is not enough)."])
        users = self._users()
        changes = parse_changes(
            req.json(), allowed=("assigned_to", "date", "is_complete"), user_ids={u["id"] for u in users}
        )
        self.store.bulk_update(q.filter, changes, stamp=iso_instant(req.now), user_id=users[0]["id"])
        return {}

    def delete_task(self, req: Request, task_id: str) -> dict:
        if not self.store.delete_task(task_id):
            raise not_found()
        return {}

    # --- users, leads -------------------------------------------------------------------

    def me(self, req: Request) -> dict:
        org = self.store.organization()
        me = _public_user(self._users()[0])
        return {**me, "organizations": [{"id": org.get("id"), "name": org.get("name")}]}

    def list_users(self, req: Request) -> dict:
        skip, limit = parse_paging(req.params)
        org_id = self.store.organization().get("id")
        users = [_member(u, org_id) for u in self._users()]
        data = users[skip : skip + limit]
        if fields := _fields(req):
            data = [{k: v for k, v in u.items() if k in fields} for u in data]
        return {"data": data, "has_more": len(users) > skip + limit}

    def get_user(self, req: Request, user_id: str) -> dict:
        for user in self._users():
            if user["id"] == user_id:
                return _member(user, self.store.organization().get("id"))
        raise not_found("User")

    def get_lead(self, req: Request, lead_id: str) -> dict:
        lead = self.store.lead(lead_id)
        if lead is None:
            raise not_found("Lead")
        return {**lead, "url": f"{APP_URL}/lead/{lead['id']}/"}


def _public_user(user: dict) -> dict:
    return {k: v for k, v in user.items() if k != "membership_id"}


def _member(user: dict, org_id: str | None) -> dict:
    """A user as GET /user/ shows one: `organizations` first, as a list of IDs (recorded:
    tests/recorded/users_list_closex_2017.json; `[]` for someone who left)."""
    return {"organizations": [org_id] if org_id else [], **_public_user(user)}


def _fields(req: Request) -> list[str] | None:
    raw = req.params.get("_fields")
    return [f.strip() for f in raw.split(",") if f.strip()] if raw else None


def _param(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _basic_user(header: str) -> str | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0]


def _json(payload: object) -> bytes:
    return json.dumps(payload).encode()
