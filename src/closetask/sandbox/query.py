"""Query strings and request bodies -> parsed values, or 400s in Close's error shapes.

Every malformed value is a 400 `{"errors": [...], "field-errors": {...}}` collecting all the
problems of a request at once, never a 500. Unknown parameters are ignored, as Close does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from closetask.sandbox.model import TASK_TYPES, day_ts, local_today, parse_when
from closetask.sandbox.store import TaskFilter

MAX_LIMIT = 100  # the default page, and the cap for /user/ (100 is known to work there)
TASK_MAX_LIMIT = 1000  # /task/ took _limit=1000 (recorded: Airbyte's connector asks for it)
MAX_SKIP = 250000  # the cap a real 400 quoted (`max_skip = 250000`)
ORDERS = ("date", "-date", "date_created", "-date_created")
VIEWS = ("inbox", "future", "archive")
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}  # case-insensitive: requests sends "False"


class ApiError(Exception):
    """An HTTP error answer: status and JSON body (or raw bytes for fault pages)."""

    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def invalid(errors: list[str] | None = None, field_errors: dict[str, str] | None = None) -> ApiError:
    return ApiError(400, {"errors": errors or [], "field-errors": field_errors or {}})


def not_found(model: str = "Task") -> ApiError:
    return ApiError(404, {"error": f"Empty query: {model} matching query does not exist."})


def parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError("Not a valid boolean.")


def _int(raw: str, name: str, low: int, high: int, problems: list[str]) -> int:
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name} must be an integer")
        return low
    if value < low:
        problems.append(f"{name} must be >= {low}")
    elif value > high and name == "_skip":
        # Close's own words (a recorded 400, close-api.md).
        problems.append(
            f"The skip you set is larger than the maximum skip for this resource (max_skip = {high}). "
            "Please refine your search query."
        )
    elif value > high:
        extra = f" (max_limit = {high})" if name == "_limit" else ""
        problems.append(f"{name} must be <= {high}{extra}")
    return value


def _csv(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass
class TaskQuery:
    filter: TaskFilter
    order: str = "date"
    skip: int = 0
    limit: int = MAX_LIMIT
    fields: list[str] | None = None


def parse_task_query(
    params: dict[str, str],
    *,
    offset_hours: float,
    now: datetime,
    memberships: dict[str, str] | None = None,
    max_skip: int = MAX_SKIP,
) -> TaskQuery:
    """GET/PUT /task/ query parameters (last value wins when repeated); a `_skip` past
    `max_skip` is refused as Close refuses it."""
    offset_s = offset_hours * 3600
    f = TaskFilter(offset_s=offset_s)
    fields: dict[str, str] = {}
    problems: list[str] = []
    get = params.get

    if "id" in params:
        f.ids = [get("id", "").strip()]
    if "id__in" in params:
        ids = _csv(get("id__in", ""))
        f.ids = ids if f.ids is None else [i for i in ids if i in f.ids]
    types: list[str] | None = ["lead"]  # the seed page: no _type means lead tasks only
    if "_type" in params:
        raw = get("_type", "").strip()
        if raw == "all":
            types = None
        elif raw in TASK_TYPES:
            types = [raw]
        else:
            fields["_type"] = f"Invalid task type {raw!r}; use one of: all, {', '.join(TASK_TYPES)}."
    if "_type__in" in params:
        wanted = _csv(get("_type__in", ""))
        bad = [t for t in wanted if t not in TASK_TYPES]
        if bad or not wanted:
            fields["_type__in"] = f"Invalid task type(s): {', '.join(bad) or '(none)'}."
        types = wanted if "_type" not in params or types is None else [t for t in wanted if t in types]
    f.types = types
    if "lead_id" in params:
        f.lead_id = get("lead_id", "").strip()
    if "assigned_to" in params:
        f.assigned_to = [get("assigned_to", "").strip()]
    if "assigned_to__in" in params:
        f.assigned_to = _csv(get("assigned_to__in", ""))
    if "membership_id" in params:  # a user's membership in the organization
        user = (memberships or {}).get(get("membership_id", "").strip())
        f.assigned_to = [user] if user else []
    if "is_complete" in params:
        try:
            f.is_complete = parse_bool(get("is_complete"))
        except ValueError as exc:
            fields["is_complete"] = str(exc)

    for name in ("date", "date_created", "date_updated"):
        for op in ("lt", "lte", "gt", "gte"):
            key = f"{name}__{op}"
            if key not in params:
                continue
            try:
                when = parse_when(get(key))
            except ValueError as exc:
                fields[key] = str(exc)
                continue
            if name == "date":
                f.date.append((op, when.bound(offset_s)))
            else:
                getattr(f, name).append((op, when.instant(offset_s)))

    if "view" in params:
        view = get("view", "").strip()
        if view not in VIEWS:
            fields["view"] = f"Invalid view {view!r}; use inbox, future or archive."
        elif view == "archive":
            f.is_complete = True
        else:
            # inbox: up to the end of the local today; future: from local tomorrow. The view
            # replaces date__lt (inbox) or date__gte (future), as the seed page implies.
            tomorrow = day_ts(local_today(now, offset_hours) + timedelta(days=1)) - offset_s
            f.is_complete = False
            op = "lt" if view == "inbox" else "gte"
            f.date = [b for b in f.date if b[0] != op] + [(op, (tomorrow, 0))]

    q = TaskQuery(filter=f)
    if "_order_by" in params:
        order = get("_order_by", "").strip()
        if order in ORDERS:
            q.order = order
        else:
            fields["_order_by"] = f"Invalid order {order!r}; use one of: {', '.join(ORDERS)}."
    if "_skip" in params:
        q.skip = _int(get("_skip", ""), "_skip", 0, max_skip, problems)
    if "_limit" in params:
        q.limit = _int(get("_limit", ""), "_limit", 0, TASK_MAX_LIMIT, problems)
    if "_fields" in params:
        q.fields = _csv(get("_fields", ""))
    if problems or fields:
        raise invalid(problems, fields)
    return q


def parse_paging(params: dict[str, str]) -> tuple[int, int]:
    problems: list[str] = []
    skip = _int(params["_skip"], "_skip", 0, MAX_SKIP, problems) if "_skip" in params else 0
    limit = _int(params["_limit"], "_limit", 0, MAX_LIMIT, problems) if "_limit" in params else MAX_LIMIT
    if problems:
        raise invalid(problems)
    return skip, limit


def parse_changes(body: object, *, allowed: tuple[str, ...], user_ids: set[str], text_ok: bool = True) -> dict:
    """A PUT body -> parsed changes {assigned_to, date: When, is_complete, text}.

    `allowed` lists the fields this endpoint may change; `text` on a task that is not a lead
    task is refused with a field error, as the seed page says.
    """
    if not isinstance(body, dict):
        raise invalid(["The request body must be a JSON object."])
    changes: dict = {}
    fields: dict[str, str] = {}
    for key, value in body.items():
        if key not in allowed:
            fields[key] = "This field cannot be updated."
        elif key == "text" and not text_ok:
            fields[key] = "Only lead tasks have an editable text."
        elif key == "text":
            if isinstance(value, str):
                changes[key] = value
            else:
                fields[key] = "Not a valid string."
        elif key == "assigned_to":
            if value in user_ids:
                changes[key] = value
            else:
                fields[key] = "Object does not exist."
        elif key == "is_complete":
            if isinstance(value, bool):
                changes[key] = value
            else:
                fields[key] = "Not a valid boolean."
        elif key == "date":
            try:
                changes[key] = parse_when(value)
            except ValueError as exc:
                fields[key] = str(exc)
    if fields:
        raise invalid([], fields)
    return changes
