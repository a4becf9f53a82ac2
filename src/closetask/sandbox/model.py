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
        "opportunity_value_currency",
        "opportunity_value_formatted",
        "opportunity_note",
    ),
    "incoming_sms": (
        "remote_phone",
        "remote_phone_formatted",
        "local_phone",
        "text",
        "attachments",
    ),
    "outgoing_call": ("phone", "phone_formatted", "text"),
}
# Key order of a rendered task, as in the real 2018 object of close-api.md; the per-type
# fields go after contact_name, and anything else stored (newer fields) goes last.
HEAD = ("id", "_type", "lead_id", "lead_name", "contact_id", "contact_name")
TAIL = (
    "date", "due_date", "is_dateless", "is_complete", "view",
    "assigned_to", "assigned_to_name", "created_by", "created_by_name",
    "updated_by", "updated_by_name", "organization_id", "object_type", "object_id",
    "date_created", "date_updated",
)  # fmt: skip


def new_id(prefix: str, rng: random.Random | None = None) -> str:
    """`task_` + 22 base62 characters, like Close's newer IDs.

    Base64 of 17 random bytes with "+/" mapped into base62: all in C, because seeding
    100,000 tasks makes ~150,000 IDs (the two mapped letters are a little more frequent).
    """
    raw = (rng or _SYSTEM_RNG).randbytes(17)
    return prefix + "_" + base64.b64encode(raw)[:22].translate(_TO_BASE62).decode()


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


_ORDER = {kind: (*HEAD, *fields, *TAIL) for kind, fields in TYPE_FIELDS.items()}
_DEFAULT_ORDER = (*HEAD, *TAIL)


def render_task(task: dict, names: dict[str, str], view: str) -> dict:
    """The task object as Close returns it: fixed key order, names resolved, view computed.
    `names` maps user IDs to display names."""
    # The known keys in order (None when the task lacks one), then update(): a known key keeps
    # its place, newer fields pass through after them. Three times the speed of a loop.
    out = dict.fromkeys(_ORDER.get(task.get("_type", ""), _DEFAULT_ORDER))
    out.update(task)
    out["due_date"] = None if task.get("is_dateless") else str(task.get("date") or "")[:10] or None
    out["view"] = view
    out["assigned_to_name"] = names.get(out["assigned_to"] or "")
    out["created_by_name"] = names.get(out["created_by"] or "")
    out["updated_by_name"] = names.get(out["updated_by"] or "")
    return out


def display_name(user: dict) -> str:
    return f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
