"""What a task is about, in one line of plain text, by type (the table's "about" column).

lead: its text; incoming_email / email_followup: the subject; missed_call /
answered_detached_call: the phone number; voicemail: number and duration (`0:42`);
opportunity_due: value and note; incoming_sms: the number and the text; outgoing_call:
the number to call and its text.

Task objects come from a server: any field may be missing, null, or of an odd type, and
unknown types exist. Nothing here raises on such input; it shows what it can.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

TYPE_LABELS = {
    "lead": "Task",
    "incoming_email": "Email",
    "email_followup": "Follow-up",
    "missed_call": "Missed call",
    "answered_detached_call": "Call",
    "voicemail": "Voicemail",
    "opportunity_due": "Opportunity",
    "incoming_sms": "SMS",
    "outgoing_call": "Outgoing call",
}

_SPACE_RE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_CURRENCY_SIGNS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3", "JPY": "\u00a5"}


def clean(value: object) -> str:
    """One line of text: control characters, tabs and newlines become single spaces."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if not isinstance(value, (str, int, float)):
        return ""
    return _SPACE_RE.sub(" ", str(value)).strip()


def field(task: Mapping[str, Any], *names: str) -> str:
    """The first of `names` that holds something printable, cleaned; "" if none does."""
    if not isinstance(task, Mapping):
        return ""
    for name in names:
        text = clean(task.get(name))
        if text:
            return text
    return ""


def type_label(task: Mapping[str, Any]) -> str:
    kind = task.get("_type") if isinstance(task, Mapping) else None
    if isinstance(kind, str) and kind in TYPE_LABELS:
        return TYPE_LABELS[kind]
    return clean(kind) or "?"


def lead_label(task: Mapping[str, Any]) -> str:
    return field(task, "lead_name", "lead_id")


def assignee_label(task: Mapping[str, Any]) -> str:
    return field(task, "assigned_to_name", "assigned_to")


def summary(task: Mapping[str, Any]) -> str:
    """The "about" text for any task object."""
    if not isinstance(task, Mapping):
        return ""
    kind = task.get("_type")
    if kind == "lead":
        return field(task, "text")
    if kind in ("incoming_email", "email_followup"):
        return field(task, "subject", "body_preview", "text")
    if kind in ("missed_call", "answered_detached_call"):
        return _join(_phone(task, "phone"), field(task, "phone_number_description"))
    if kind == "voicemail":
        return _join(_phone(task, "phone"), duration(task.get("voicemail_duration")))
    if kind == "opportunity_due":
        return _join(money(task), field(task, "opportunity_note"))
    if kind == "incoming_sms":
        return _join(_phone(task, "remote_phone"), field(task, "text"))
    if kind == "outgoing_call":  # no recording: the number to call and any text it carries
        return _join(_phone(task, "phone"), field(task, "text", "subject"))
    # An unknown type: whatever descriptive field it has.
    return field(task, "text", "subject", "body_preview")


def duration(seconds: object) -> str:
    """42 -> `0:42`, 3725 -> `1:02:05`; "" for anything that is not a sane number."""
    if isinstance(seconds, bool):
        return ""
    if isinstance(seconds, str):
        try:
            seconds = float(seconds)
        except ValueError:
            return ""
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def money(task: Mapping[str, Any]) -> str:
    """Close's formatted value, else the value (in cents, as Close stores it) with its
    currency; a recurring value says so ("$500 monthly"), as Close's own screens do."""
    amount = _amount(task)
    period = field(task, "opportunity_value_period")
    if amount and period and period != "one_time":
        return f"{amount} {period.replace('_', ' ')}"
    return amount


def _amount(task: Mapping[str, Any]) -> str:
    formatted = field(task, "opportunity_value_formatted")
    if formatted:
        return formatted
    value = task.get("opportunity_value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return ""
    amount = value / 100
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    currency = field(task, "opportunity_value_currency").upper()
    sign = _CURRENCY_SIGNS.get(currency)
    if sign:
        return f"-{sign}{text[1:]}" if text.startswith("-") else f"{sign}{text}"
    return f"{text} {currency}".strip()


def _phone(task: Mapping[str, Any], name: str) -> str:
    return field(task, f"{name}_formatted", name)


def _join(*parts: str) -> str:
    return " \u00b7 ".join(p for p in parts if p)
