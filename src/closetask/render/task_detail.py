"""`closetask show`: one task, every field, laid out by its type; and one-line task labels
for the confirmation messages of the changing commands.

Pure text (no Rich): the same lines on a terminal and in a pipe, and nothing here fetches.
Any field the server sends is shown, known or not, and an oddly typed value never crashes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from closetask.core.ordering import parse_task_date
from closetask.core.refs import LEAD_ID, lead_address
from closetask.core.timezone import TimeZone
from closetask.render.summary import clean, duration

# Control characters (C0, DEL, C1) in server text: an incoming SMS or email subject is written
# by people outside the organization, and ESC / CSI sequences would drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Extra fields by `_type` (close-api.md), in display order, with their labels.
TYPE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "lead": (),
    "incoming_email": (("subject", "Subject"), ("body_preview", "Preview"), ("emails", "Emails")),
    "email_followup": (("subject", "Subject"), ("body_preview", "Preview"), ("email_id", "Email")),
    "missed_call": (
        ("phone_formatted", "Phone"),
        ("phone", "Phone (raw)"),
        ("local_phone", "Called"),
        ("phone_number_description", "Number"),
    ),
    "answered_detached_call": (("phone_formatted", "Phone"), ("phone", "Phone (raw)"), ("recording_url", "Recording")),
    "voicemail": (
        ("phone_formatted", "Phone"),
        ("phone", "Phone (raw)"),
        ("local_phone", "Called"),
        ("phone_number_description", "Number"),
        ("voicemail_duration", "Duration"),
        ("voicemail_url", "Voicemail"),
    ),
    "opportunity_due": (
        ("opportunity_value_formatted", "Value"),
        ("opportunity_value", "Value (raw)"),
        ("opportunity_value_period", "Period"),
        ("opportunity_value_currency", "Currency"),
        ("opportunity_note", "Note"),
    ),
    "incoming_sms": (
        ("remote_phone_formatted", "From"),
        ("remote_phone", "From (raw)"),
        ("local_phone", "To"),
        ("attachments", "Attachments"),
    ),
    "outgoing_call": (("phone_formatted", "Phone"), ("phone", "Phone (raw)")),
}

# Shown in the common block, or folded into another line (names next to their IDs).
_COMMON = {
    "id",
    "_type",
    "text",
    "lead_id",
    "lead_name",
    "contact_id",
    "contact_name",
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
    "date_created",
    "date_updated",
    "organization_id",
    "object_type",
    "object_id",
}
_WIDTH = 13  # label column: the longest label and a space


def task_title(task: Mapping[str, Any]) -> str:
    """What a person calls the task: its text, else the subject, else the phone, else the type."""
    for key in ("text", "subject", "phone_formatted", "remote_phone_formatted", "phone"):
        value = task.get(key)
        if isinstance(value, str) and clean(value):
            return clean(value)
    kind = task.get("_type")
    return _text(kind).replace("_", " ") if kind else _text(task.get("id", "task"))


def task_label(task: Mapping[str, Any], *, width: int = 60) -> str:
    """`Call about the renewal (Acme Corp)`, shortened to about `width` characters."""
    title = _shorten(task_title(task), width)
    lead = task.get("lead_name")
    return f"{title} ({_shorten(clean(lead), 30)})" if isinstance(lead, str) and clean(lead) else title


def labels_summary(tasks: Sequence[Mapping[str, Any]], *, limit: int = 3) -> str:
    """`A (Acme), B (Initech) and 3 more`."""
    shown = [task_label(t) for t in tasks[:limit]]
    rest = len(tasks) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")


def when_text(value: Any, tz: TimeZone) -> str:
    """A task date as a person reads it: date-only days stay days; instants in the user's zone."""
    parsed = parse_task_date(value)
    if parsed is None:
        return "-" if value in (None, "") else _text(value)
    if isinstance(parsed, datetime):
        local = parsed.astimezone(tz.tzinfo)
        offset = local.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
        return f"{local:%a %d %b %Y %H:%M} ({offset or 'UTC'})"
    return f"{parsed:%a %d %b %Y} (no time)"


def detail_lines(task: Mapping[str, Any], tz: TimeZone) -> list[str]:
    """Every field of `task`: a common block, the fields of its type, then anything else."""
    kind = str(task.get("_type") or "lead")
    lines = [task_title(task), ""]

    def add(label: str, value: Any) -> None:
        if value is None or value == "" or value == []:
            return
        lines.append(f"{label:<{_WIDTH}}{_text(value)}")

    add("ID", task.get("id"))
    add("Type", kind)
    add("Text", task.get("text"))
    add("Lead", _named(task.get("lead_name"), task.get("lead_id")))
    lead_id = task.get("lead_id")
    if isinstance(lead_id, str) and LEAD_ID.match(lead_id):  # never an address built from odd text
        add("In Close", lead_address(lead_id))
    add("Contact", _named(task.get("contact_name"), task.get("contact_id")))
    add("Date", when_text(task.get("date"), tz) + (" [no date set]" if task.get("is_dateless") is True else ""))
    if task.get("due_date"):
        add("Due date", f"{task.get('due_date')} (deprecated field)")
    add("Status", _status(task))
    add("Assigned to", _named(task.get("assigned_to_name"), task.get("assigned_to")))

    extras = TYPE_FIELDS.get(kind, ())
    if extras:
        lines.append("")
        for key, label in extras:
            value = task.get(key)
            if key == "voicemail_duration":
                value = duration(value) or value  # as the table shows it: 3725 -> 1:02:05
            add(label, value)
    if task.get("object_type") or task.get("object_id"):
        add("Object", _named(task.get("object_type"), task.get("object_id")))

    lines.append("")
    add("Created", _stamp(task.get("date_created"), task.get("created_by_name"), task.get("created_by"), tz))
    add("Updated", _stamp(task.get("date_updated"), task.get("updated_by_name"), task.get("updated_by"), tz))
    add("Org", task.get("organization_id"))

    shown = _COMMON | {key for key, _ in extras}
    rest = sorted(k for k in task if isinstance(k, str) and k not in shown)
    if rest:
        lines.append("")
        for key in rest:
            label = _text(key, raw=True)
            lines.append(
                f"{label:<{_WIDTH}}{_text(task[key], raw=True)}"
                if len(label) < _WIDTH
                else f"{label} {_text(task[key], raw=True)}"
            )
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _status(task: Mapping[str, Any]) -> str:
    done = task.get("is_complete")
    state = "complete" if done is True else "open" if done is False else _text(done)
    view = task.get("view")
    return f"{state} ({view})" if isinstance(view, str) and view else state


def _named(name: Any, ident: Any) -> str | None:
    if name and ident:
        return f"{_text(name)} ({_text(ident)})"
    return _text(name or ident) if (name or ident) else None


def _stamp(when: Any, name: Any, ident: Any, tz: TimeZone) -> str | None:
    parsed = parse_task_date(when)
    text = (
        f"{parsed.astimezone(tz.tzinfo):%Y-%m-%d %H:%M}"
        if isinstance(parsed, datetime)
        else (_text(when) if when else "")
    )
    who = _named(name, ident)
    if who:
        text = f"{text} by {who}" if text else f"by {who}"
    return text or None


def _text(value: Any, *, raw: bool = False) -> str:
    if isinstance(value, bool):
        if raw:
            return "true" if value else "false"
        return "yes" if value else "no"
    if isinstance(value, str):
        if not raw:
            return clean(value)
        # Raw (fields closetask does not know): quoted and escaped when not plain text.
        return json.dumps(value, ensure_ascii=True) if _CONTROL.search(value) else value
    if isinstance(value, list) and not raw and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "null" if raw else ""
    if isinstance(value, (int, float)):
        return str(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=True, default=str) if _CONTROL.search(text) else text


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"
