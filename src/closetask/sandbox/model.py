"""The sandbox's vocabulary: task types and their fields, IDs, dates, offsets, the clock.

Stdlib only (the sandbox stands alone). Everything date-related follows Close's Tasks page:
a task `date` is either date-only ("2015-01-05") or a date-time ("2015-01-10T05:00:00+00:00");
a date-only task sits at its *local* day's midnight (from `X-TZ-Offset`), before any
date-time task at that same instant.
"""

from __future__ import annotations

import base64
import os
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

ENV_NOW = "CLOSETASK_NOW"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
EPOCH = date(1970, 1, 1)
APP_URL = "https://app.close.com"

# close-api.md's table: object_type and extra fields per `_type`.
OBJECT_TYPES = {
    "lead": None,
    "incoming_email": "emailthread",
    "email_followup": "emailthread",
    "missed_call": "call",
    "answered_detached_call": "call",
    "voicemail": "call",
    "opportunity_due": "opportunity",
    "incoming_sms": "sms",
    # Close's newer docs; no recording shows its shape, so the sandbox filters by it and seeds none.
    "outgoing_call": "call",
}
TASK_TYPES = tuple(OBJECT_TYPES)
# Tasks a person makes: `task_` IDs, a `text`, `date` with `due_date` and `is_dateless`.
# Every other type is a task Close makes itself ("notifications" inside Close): `noti_` IDs,
# and no `text`, `due_date` or `is_dateless` (recorded for email_followup and opportunity_due;
# assumed for the other system types). outgoing_call is made by a person (Close's newer docs)
# and never seeded; it keeps the lead task's date keys.
USER_TYPES = frozenset(("lead", "outgoing_call"))
_CALL = ("phone", "phone_formatted", "local_phone", "phone_number_description")
TYPE_FIELDS = {
    "lead": ("text",),
    "incoming_email": ("emails", "subject", "body_preview"),
    "email_followup": ("email_id", "subject", "body_preview"),
    "missed_call": _CALL,
    "answered_detached_call": ("phone", "phone_formatted", "recording_url"),
    "voicemail": (*_CALL, "voicemail_duration", "voicemail_url"),
    "opportunity_due": (
        "opportunity_value",
        "opportunity_value_formatted",
        "opportunity_value_period",
        "opportunity_note",
    ),
    "incoming_sms": (  # `text` here is the message, not a task description
        "remote_phone",
        "remote_phone_formatted",
        "local_phone",
        "text",
        "attachments",
    ),
    "outgoing_call": ("phone", "phone_formatted", "text"),
}
# Key order of a rendered task without a recording: the 2018 object of close-api.md, the
# per-type fields after contact_name; anything else stored (newer fields) goes last.
HEAD = ("id", "_type", "lead_id", "lead_name", "contact_id", "contact_name")
TAIL = (
    "date",
    "due_date",
    "is_dateless",
    "is_complete",
    "view",
    "assigned_to",
    "assigned_to_name",
    "created_by",
    "created_by_name",
    "updated_by",
    "updated_by_name",
    "organization_id",
    "object_type",
    "object_id",
    "date_created",
    "date_updated",
)
_DATE_KEYS = ("due_date", "is_dateless")
# The key order real Close sent, per type, copied from tests/recorded/ (lead: the 2018 HTTP
# recording, which both closex answers share). It looks like a hash order, not a design, but
# `--json` prints objects unchanged, so a script diffing output sees the order Close sends.
RECORDED_ORDER = {
    "lead": (
        "date_updated",
        "text",
        "object_type",
        "assigned_to_name",
        "created_by",
        "lead_name",
        "contact_name",
        "id",
        "object_id",
        "updated_by_name",
        "created_by_name",
        "is_dateless",
        "due_date",
        "_type",
        "updated_by",
        "organization_id",
        "contact_id",
        "date",
        "lead_id",
        "assigned_to",
        "date_created",
        "is_complete",
        "view",
    ),
    "email_followup": (
        "body_preview",
        "contact_id",
        "date_updated",
        "_type",
        "is_complete",
        "email_id",
        "object_id",
        "id",
        "date",
        "updated_by",
        "organization_id",
        "date_created",
        "view",
        "lead_name",
        "object_type",
        "contact_name",
        "updated_by_name",
        "created_by",
        "lead_id",
        "assigned_to",
        "created_by_name",
        "assigned_to_name",
        "subject",
    ),
    "opportunity_due": (
        "view",
        "opportunity_value_period",
        "updated_by",
        "assigned_to",
        "date_updated",
        "date_created",
        "object_id",
        "date",
        "created_by",
        "opportunity_value_formatted",
        "is_complete",
        "contact_id",
        "contact_name",
        "opportunity_note",
        "id",
        "lead_name",
        "created_by_name",
        "updated_by_name",
        "lead_id",
        "organization_id",
        "_type",
        "assigned_to_name",
        "object_type",
        "opportunity_value",
    ),
}
ID_LENGTH = 43  # base62 characters after the prefix in every recorded task, noti, lead, user, acti ID


def task_prefix(kind: str) -> str:
    """`task` for the tasks people make, `noti` for the ones Close makes (recorded)."""
    return "task" if kind in USER_TYPES else "noti"


def new_id(prefix: str, rng: random.Random | None = None) -> str:
    """`task_` + 43 base62 characters, like Close's task, notification, lead, user and
    activity IDs.

    Base64 of 33 random bytes (44 characters) with "+/" mapped into base62: all in C, because
    seeding 100,000 tasks makes ~150,000 IDs (the two mapped letters are a little more
    frequent).
    """
    raw = (rng or _SYSTEM_RNG).randbytes(33)
    return prefix + "_" + base64.b64encode(raw)[:ID_LENGTH].translate(_TO_BASE62).decode()


_SYSTEM_RNG = random.SystemRandom()
_TO_BASE62 = bytes.maketrans(b"+/", b"Xq")


# --- clock ----------------------------------------------------------------------------


def env_now() -> datetime:
    """`CLOSETASK_NOW` (ISO date-time with offset) when set, else the real UTC now.

    The client honours the same variable, so tests and screenshots see one fixed day.
    """
    raw = os.environ.get(ENV_NOW)
    if raw:
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(f"{ENV_NOW}={raw!r} is not an ISO date-time") from None
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def iso_instant(value: datetime) -> str:
    """Close's date-time form: UTC with microseconds and "+00:00"."""
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


# --- X-TZ-Offset ----------------------------------------------------------------------


def parse_offset(raw: str | None) -> float:
    """Hours east of UTC as sent in X-TZ-Offset ("-8", "5.5", "-2.5"; closeio sends "-8.0").

    Missing means 0. Raises ValueError on anything else, so the app answers 400.
    """
    if raw is None or raw.strip() == "":
        return 0.0
    try:
        hours = float(raw.strip())
    except ValueError:
        raise ValueError(f"X-TZ-Offset {raw!r} is not a number of hours") from None
    if not -14 <= hours <= 14:  # NaN fails this too
        raise ValueError(f"X-TZ-Offset {raw!r} is out of range (-14..14)")
    return hours


def local_today(now: datetime, offset_hours: float) -> date:
    return (now.astimezone(timezone.utc) + timedelta(hours=offset_hours)).date()


# --- task dates ---------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A parsed task date. `ts` is what the store indexes: the UTC instant of a date-time,
    or the UTC midnight of a date-only value (its local midnight is `ts - offset`)."""

    text: str  # as the API returns it
    date_only: bool
    ts: float

    def instant(self, offset_s: float) -> float:
        return self.ts - offset_s if self.date_only else self.ts

    def bound(self, offset_s: float) -> tuple[float, int]:
        """Position on the ordering line: (instant, 0 for date-only / 1 for date-time)."""
        return (self.instant(offset_s), 0 if self.date_only else 1)


def day_ts(day: date) -> float:
    return float((day - EPOCH).days * 86400)


def parse_when(raw: object) -> When:
    """A date ("2015-01-12") or a date-time (any ISO form; naive means UTC)."""
    if not isinstance(raw, str):
        raise ValueError("Not a valid date or datetime.")
    text = raw.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError("Not a valid date or datetime.") from None
        return When(day.isoformat(), True, day_ts(day))
    try:
        value = datetime.fromisoformat(text.replace(" ", "+") if "T" in text else text)
    except ValueError:
        raise ValueError("Not a valid date or datetime.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    spec = "microseconds" if value.microsecond else "seconds"
    return When(value.isoformat(timespec=spec), False, value.timestamp())


def view_of(is_complete: bool, date_text: str, offset_s: float, tomorrow_s: float) -> str:
    """inbox / future / archive for a user whose local tomorrow starts at `tomorrow_s`.

    inbox runs up to the end of the local today: (instant, kind) < (tomorrow midnight, 0),
    so a date-only task dated tomorrow and a task at 00:00 local tomorrow are both future.
    `date_text` is a stored (canonical) date: no full parse_when per rendered task.
    """
    if is_complete:
        return "archive"
    if len(date_text) == 10:  # date-only: its local midnight, kind 0
        return "inbox" if day_ts(date.fromisoformat(date_text)) - offset_s < tomorrow_s else "future"
    return "inbox" if datetime.fromisoformat(date_text).timestamp() < tomorrow_s else "future"


def _order(kind: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    if kind in RECORDED_ORDER:
        return RECORDED_ORDER[kind]
    keys = (*HEAD, *fields, *TAIL)
    return keys if kind in USER_TYPES else tuple(k for k in keys if k not in _DATE_KEYS)


_ORDER = {kind: _order(kind, fields) for kind, fields in TYPE_FIELDS.items()}
_DEFAULT_ORDER = (*HEAD, *TAIL)


def render_task(task: dict, names: dict[str, str], view: str) -> dict:
    """The task object as Close returns it: its type's key order, names resolved, view
    computed; system tasks without due_date and is_dateless. `names` maps user IDs to
    display names."""
    # The known keys in order (None when the task lacks one), then update(): a known key keeps
    # its place, newer fields pass through after them. Three times the speed of a loop.
    kind = task.get("_type", "")
    out = dict.fromkeys(_ORDER.get(kind, _DEFAULT_ORDER))
    out.update(task)
    if kind in USER_TYPES or kind not in _ORDER:
        out["due_date"] = None if task.get("is_dateless") else str(task.get("date") or "")[:10] or None
    else:  # the store keeps an is_dateless column for every task; Close's system tasks have none
        out.pop("is_dateless", None)
        out.pop("due_date", None)
    out["view"] = view
    out["assigned_to_name"] = names.get(out["assigned_to"] or "")
    out["created_by_name"] = names.get(out["created_by"] or "")
    out["updated_by_name"] = names.get(out["updated_by"] or "")
    return out


def display_name(user: dict) -> str:
    return f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
