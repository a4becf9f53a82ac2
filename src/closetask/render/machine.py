"""Output for programs: JSON, JSONL, IDs and TSV on stdout, never coloured.

- `--json`: one JSON array (2-space indent, UTF-8) of the task objects exactly as Close sent
  them, unknown fields included, in display order (the table's order, so row N of the table
  is element N-1). `[]` when nothing matches.
- `--jsonl`: one compact JSON object per line, written page by page as they arrive, so a huge
  listing streams in constant memory. The lines are therefore in **server order** (the
  `_order_by` sent), not re-sorted on the client.
- `--fields a,b`: JSON and JSONL objects keep only those keys, in that order (a key the object
  lacks is left out).
- `--ids`: one task ID per line, in display order.
- TSV (stdout is not a terminal and no format flag): one line per task in display order, no
  header line, no day headings, no truncation, no colour; tabs and newlines inside values
  become spaces. The columns, in this fixed order (see TSV_COLUMNS):

    row  id  date  local_date  local_time  type  lead_id  lead_name  about  assignee

  `row` is the row number (`closetask done 3` refers to it: TSV listings save row refs like
  the table does); `date` is Close's own value (`2026-11-28` or `2026-11-28T14:00:00+00:00`);
  `local_date` (YYYY-MM-DD) and `local_time` (HH:MM, empty for a date-only task) are in the
  profile's time zone; `type` is Close's `_type`; `about` is the table's summary text;
  `assignee` is the assignee's name (their user ID when Close sends no name).

Plain `print` / `write`, not Rich: Rich would expand tabs and wrap lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from closetask.core.grouping import local_time_label
from closetask.core.listing import trim_fields
from closetask.core.ordering import task_local_date
from closetask.core.timezone import TimeZone
from closetask.render.summary import assignee_label, clean, field, summary

TSV_COLUMNS = (
    "row",
    "id",
    "date",
    "local_date",
    "local_time",
    "type",
    "lead_id",
    "lead_name",
    "about",
    "assignee",
)


def write_document(value: Any, *, out: IO[str] | None = None) -> None:
    """Every --json output: one JSON document, indented, non-ASCII as is (U+00A0 stays U+00A0)."""
    out = out or sys.stdout
    out.write(json.dumps(value, indent=2, ensure_ascii=not speaks_utf8(out)) + "\n")
    out.flush()


def write_json(
    tasks: Sequence[Mapping[str, Any]], *, fields: tuple[str, ...] | None = None, out: IO[str] | None = None
) -> None:
    write_document([trim_fields(task, fields) for task in tasks], out=out)


def write_jsonl(
    tasks: Iterable[Mapping[str, Any]], *, fields: tuple[str, ...] | None = None, out: IO[str] | None = None
) -> int:
    """Write one page of objects; flushed so a reader sees each page as it arrives."""
    out = out or sys.stdout
    encode = _compact if speaks_utf8(out) else _ascii
    lines = [encode(trim_fields(task, fields)) for task in tasks]
    if lines:
        out.write("\n".join(lines) + "\n")  # one write per page
    out.flush()
    return len(lines)


# One encoder for every line: json.dumps with options builds a new one per call, which cost
# a fifth of the encoding time of a 100-task page.
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def speaks_utf8(out: IO[str]) -> bool:
    """Whether `out` takes any character. JSON to a stream that does not (PYTHONIOENCODING=
    ascii, a latin-1 terminal) is written with \\u escapes: the same data, nothing lost."""
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return encoding in ("utf8", "utf16", "utf32", "utf8sig")


def write_ids(tasks: Iterable[Mapping[str, Any]], *, out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    for task in tasks:
        task_id = field(task, "id")
        if task_id:
            out.write(task_id + "\n")
    out.flush()


def tsv_row(number: int, task: Mapping[str, Any], tz: TimeZone) -> list[str]:
    """The TSV_COLUMNS values of one task."""
    day = task_local_date(task, tz)
    return [
        str(number),
        field(task, "id"),
        field(task, "date"),
        day.isoformat() if day is not None else "",
        local_time_label(task, tz),
        field(task, "_type"),
        field(task, "lead_id"),
        field(task, "lead_name"),
        summary(task),
        assignee_label(task),
    ]


def write_tsv(tasks: Sequence[Mapping[str, Any]], *, tz: TimeZone, out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    for number, task in enumerate(tasks, 1):
        # clean() already made every value one line without tabs.
        out.write("\t".join(clean(v) for v in tsv_row(number, task, tz)) + "\n")
    out.flush()
