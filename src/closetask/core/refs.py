"""REFs: how people name tasks and leads on the command line.

A task REF is a row number from the profile's last table listing (`3`), a full task ID,
or a Close web address that contains one. Close hands out two kinds of task ID: `task_...`
for lead tasks and `noti_...` for the system types (email follow-ups, calls, opportunities:
"notifications" inside Close; tests/recorded/). A lead REF is a lead ID or a Close lead
address (`https://app.close.com/lead/lead_.../`).

An ID of another kind of object (a lead, a user, an activity...) is refused with a message
that says what it is and what to pass instead: pasted IDs are the commonest slip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from closetask.errors import UsageError

# IDs are a prefix plus base62: 43 characters in older IDs, 22 in newer ones (close-api.md).
_ID = r"[A-Za-z0-9]{10,64}"
TASK_PREFIXES = ("task", "noti")
TASK_ID = re.compile(rf"^(?:task|noti)_{_ID}$")
LEAD_ID = re.compile(rf"^lead_{_ID}$")
_TASK_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9_])((?:task|noti)_{_ID})(?![A-Za-z0-9])")
_LEAD_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9_])(lead_{_ID})(?![A-Za-z0-9])")
_ANY_ID = re.compile(rf"^([a-z]{{2,8}})_{_ID}$")
TASK_REF_FORMS = (
    "a row number from the last listing (3), a task ID (task_... or noti_...), or a Close address containing one"
)
# Other objects' IDs people paste, and what to pass instead (close-api.md's prefixes).
_NOT_A_TASK = {
    "lead": ("a lead ID", "to list its tasks: closetask inbox --lead {id}"),
    "user": ("a user ID", "to list their tasks: closetask inbox --assignee {id}"),
    "acti": ("an activity ID (an email, a call, or a completed task's completion record)", None),
    "oppo": (
        "an opportunity ID",
        "its tasks are opportunity_due tasks: closetask inbox --type opportunity_due --assignee all",
    ),
    "cont": ("a contact ID", None),
    "orga": ("an organization ID", None),
}


def is_system_task(task_id: str) -> bool:
    """True for a `noti_` ID: a system task (only lead tasks have `task_` IDs), known
    without a request. A `task_` ID proves nothing: only the task's `_type` does."""
    return task_id.startswith("noti_")


@dataclass(frozen=True)
class RowRefs:
    """Row number -> task ID, as shown by the profile's last table listing."""

    ids: tuple[str, ...]
    command: str = ""
    saved_at: str = ""
    assignee: str | None = None  # whose tasks the table showed (None: everyone's, or not known)

    def lookup(self, row: int) -> str | None:
        return self.ids[row - 1] if 1 <= row <= len(self.ids) else None


def rows_file(terminal: str) -> str:
    """The file name a terminal's rows are kept under: `/dev/pts/3` -> `rows-dev-pts-3.json`."""
    return "rows-" + re.sub(r"[^A-Za-z0-9]+", "-", terminal).strip("-") + ".json"


def save_rows(path: Path, ids: Sequence[str], *, command: str, saved_at: datetime, assignee: str | None = None) -> None:
    """Remember the rows of a table listing (IDs only: never a key or task content)."""
    from closetask.config import write_atomic

    payload = {"command": command, "saved_at": saved_at.isoformat(), "ids": list(ids), "assignee": assignee}
    write_atomic(path, json.dumps(payload))


def load_rows(path: Path) -> RowRefs | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        ids = tuple(str(i) for i in payload["ids"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no listing yet, or an unreadable one: row numbers then mean nothing
    assignee = payload.get("assignee")
    return RowRefs(
        ids,
        str(payload.get("command", "")),
        str(payload.get("saved_at", "")),
        assignee if isinstance(assignee, str) else None,
    )


def left_its_row(task: Mapping[str, Any] | None, rows: RowRefs, *, tz: Any, today: date) -> str | None:
    """Why a task named by a row number is no longer what that row showed, or None.

    The table was a view (`rows.command`) of someone's tasks: a task gone from Close,
    completed or reopened, moved across today, or given to someone else since no longer
    belongs to the row the person read, and acting on it would be a guess."""
    from closetask.core.ordering import task_local_date

    if task is None:
        return "gone from Close (deleted since)"
    view, complete = rows.command, task.get("is_complete")
    if view in ("inbox", "future") and complete is True:
        return f"completed since the {view} was shown"
    if view == "archive" and complete is False:
        return "reopened since the archive was shown"
    day = task_local_date(task, tz) if "date" in task else None
    if day is not None and view == "inbox" and day > today:
        return "moved past today since the inbox was shown"
    if day is not None and view == "future" and day <= today:
        return "moved to today or before since the future was shown"
    if rows.assignee and "assigned_to" in task and task.get("assigned_to") != rows.assignee:
        return "assigned to someone else since the table was shown"
    return None


def split_refs(args: Iterable[str], stdin_text: str | None) -> list[str]:
    """Expand `-` into the whitespace-separated REFs read from stdin; keep order, drop repeats."""
    refs: list[str] = []
    for arg in args:
        if arg == "-":
            if stdin_text is None:
                raise UsageError("'-' reads REFs from stdin, but stdin is a terminal")
            refs.extend(stdin_text.split())
        else:
            refs.append(arg.strip())
    return [r for r in dict.fromkeys(refs) if r]  # first occurrence of each, in order


MAX_ROW_DIGITS = 9  # no table has a billion rows; Python refuses int() of 4,300+ digits


def row_number(text: str) -> int:
    """A REF of ASCII digits as a row number; UsageError when no table could have that row."""
    if len(text.lstrip("0")) > MAX_ROW_DIGITS:
        shown = text if len(text) <= 20 else f"{text[:12]}... ({len(text)} digits)"
        raise UsageError(f"row {shown} is not a row number any table has: pass a row of the last listing or a task ID")
    return int(text)


def parse_task_ref(ref: str, rows: RowRefs | None) -> str:
    """Turn one REF into a task ID, or raise UsageError saying what was expected."""
    text = ref.strip()
    if text.isascii() and text.isdigit():  # "²".isdigit() is True but int() refuses it
        row = row_number(text)
        if rows is None:
            raise UsageError(
                f"row {row}: no table was shown on this terminal to take row numbers from; "
                "run `closetask inbox` first, or pass a task ID"
            )
        task_id = rows.lookup(row)
        if task_id is None:
            raise UsageError(
                f"row {row} is not in the last listing ({rows.command or 'listing'}: rows 1-{len(rows.ids)})"
                if rows.ids
                else f"row {row}: the last listing ({rows.command or 'listing'}) was empty"
            )
        return task_id
    if TASK_ID.match(text):
        return text
    found = _TASK_IN_TEXT.findall(text) if "/" in text else []
    if len(found) == 1:
        return found[0]
    raise UsageError(_not_a_task(ref, text, found))


def _not_a_task(ref: str, text: str, found: list[str]) -> str:
    """The one-line refusal of a REF: what it looks like, and what to pass instead."""
    if len(found) > 1:
        return f"{ref!r} names {len(found)} tasks; pass one REF per task"
    other = _ANY_ID.match(text)
    if other and other.group(1) in _NOT_A_TASK:
        what, instead = _NOT_A_TASK[other.group(1)]
        tail = f"; {instead.format(id=text)}" if instead else ""
        return f"{text} is {what}, not a task: pass a task ID (task_... or noti_...) or a row number{tail}"
    lead = _LEAD_IN_TEXT.search(text) if "/" in text else None
    if lead:
        return f"{ref!r} is a lead's address with no task in it: pass a task ID (task_... or noti_...) or a row number; to list the lead's tasks: closetask inbox --lead {lead.group(1)}"
    return f"invalid task REF {ref!r}: expected {TASK_REF_FORMS}"


def parse_task_refs(refs: Sequence[str], rows: RowRefs | None) -> list[str]:
    ids = [parse_task_ref(r, rows) for r in refs]
    return list(dict.fromkeys(ids))  # first occurrence of each, in order


LEAD_PAGE = "https://app.close.com/lead/{}/"


def lead_address(lead_id: str) -> str:
    """The lead's page in Close's web app, where its tasks are (what parse_lead_ref reads)."""
    return LEAD_PAGE.format(lead_id)


def parse_lead_ref(ref: str) -> str:
    """A lead ID, or a Close lead address such as https://app.close.com/lead/lead_xxx/."""
    text = ref.strip()
    if LEAD_ID.match(text):
        return text
    found = _LEAD_IN_TEXT.findall(text) if "/" in text else []
    if len(found) == 1:
        return found[0]
    raise UsageError(f"invalid lead {ref!r}: expected a lead ID (lead_...) or a Close lead address")
