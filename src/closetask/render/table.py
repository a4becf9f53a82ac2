"""The task table people read: a heading per local day, numbered rows, one line per task.

```
Overdue · Thu 26 Nov
 1         Task         Acme Corp        Call about the renewal
 2  14:00  Missed call  Globex           +1 415-555-0100

Today · Sat 28 Nov
 3         Email        Initech          Re: pricing
```

Columns: row number, local time (blank for date-only tasks), type, lead, what the task is
about, and the assignee when the listing is not only the user's own tasks. Every group uses
the same column widths, computed once to fit the console: long text is cut with an ellipsis,
never wrapped. Down to 20 columns the row number and the time stay whole: the text columns
are cut first, then dropped (assignee, type, then lead). Cell text goes in as `rich.text.Text`, never as markup, so a task whose text
says `[red]` prints `[red]`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from closetask.core.grouping import day_text, local_time_label
from closetask.core.listing import Listing
from closetask.core.ordering import task_local_date
from closetask.render.summary import assignee_label, lead_label, summary, type_label

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

    from closetask.core.timezone import TimeZone

TYPE_STYLES = {
    "lead": "cyan",
    "incoming_email": "blue",
    "email_followup": "magenta",
    "missed_call": "red",
    "answered_detached_call": "green",
    "voicemail": "yellow",
    "opportunity_due": "bold green",
    "incoming_sms": "bright_blue",
    "outgoing_call": "bright_green",
}
_GAP = 2  # spaces between columns: padding (0, 1) on each side, none at the edges
_NARROWEST = 4  # a text column cut below this says nothing: drop one instead
_ABOUT_AT_LEAST = 10  # ... and "about" this, while another column could be dropped for it


@dataclass
class Row:
    """One task's cells, as the table shows them (triage draws the same cells)."""

    number: int
    when: str
    kind: str
    kind_style: str
    lead: str
    about: str
    assignee: str
    link: str = ""  # the lead's page in Close: the lead cell links there (OSC 8) on a terminal


def print_table(
    console: Console,
    listing: Listing,
    *,
    tz: TimeZone,
    show_assignee: bool = False,
    limited: bool = False,
) -> None:
    """Print `listing` (already in display order) with its footer."""
    from rich.text import Text

    rows = _rows(listing, tz)
    widths = _widths(rows, console.width, show_assignee, listing.grouped)
    number = 0
    for group in listing.groups:
        if not group.tasks:
            continue
        if number:
            console.print()
        if group.label:
            # cut, never wrapped, like the rows: "Tomorrow · Sun 29 Nov" on 20 columns
            heading = Text(group.label, style=heading_style(group.day, listing), no_wrap=True, overflow="ellipsis")
            console.print(heading)
        chunk = rows[number : number + len(group.tasks)]
        number += len(group.tasks)
        if _fits(widths, show_assignee, console.width):
            console.print(_lines(chunk, widths, show_assignee))
        else:
            console.print(_table(chunk, widths, show_assignee))
    console.print()
    console.print(Text(footer(listing, limited=limited), style="dim"))


def footer(listing: Listing, *, limited: bool = False) -> str:
    """`14 tasks · 3 overdue`, plus a note when --limit cut the listing short."""
    count = len(listing)
    parts = [f"{count} task{'' if count == 1 else 's'}"]
    if listing.overdue:
        parts.append(f"{listing.overdue} overdue")
    if limited:
        parts.append("--limit reached, there may be more")
    return " \u00b7 ".join(parts)


def task_rows(listing: Listing, tz: TimeZone) -> list[Row]:
    """Each task's cells in display order: time (or due day when not grouped), type label
    and its style, lead, what it is about, assignee."""
    return _rows(listing, tz)


def _rows(listing: Listing, tz: TimeZone) -> list[Row]:
    rows: list[Row] = []
    for task in listing.tasks:
        kind = task.get("_type") if isinstance(task, Mapping) else None
        rows.append(
            Row(
                number=len(rows) + 1,
                when=local_time_label(task, tz) if listing.grouped else _due(task, tz, listing.today),
                kind=type_label(task),
                kind_style=TYPE_STYLES.get(kind, "") if isinstance(kind, str) else "",
                lead=lead_label(task),
                about=summary(task),
                assignee=assignee_label(task),
                link=_lead_link(task),
            )
        )
    return rows


def _lead_link(task: Any) -> str:
    from closetask.core.refs import LEAD_ID, lead_address

    lead_id = task.get("lead_id") if isinstance(task, Mapping) else None
    return lead_address(lead_id) if isinstance(lead_id, str) and LEAD_ID.match(lead_id) else ""


def _due(task: Mapping[str, Any], tz: TimeZone, today: date) -> str:
    """`Thu 26 Nov 14:30` (the flat, creation-ordered table has no day headings)."""
    day = task_local_date(task, tz)
    if day is None:
        return ""
    text = day_text(day, today=today)
    at = local_time_label(task, tz)
    return f"{text} {at}" if at else text


@dataclass
class _Widths:
    number: int
    when: int
    kind: int
    lead: int
    about: int
    assignee: int


def _widths(rows: Sequence[Row], total: int, show_assignee: bool, grouped: bool) -> _Widths:
    """Column widths for `total` cells. The row number (what `done N` needs) and the time stay
    whole; the text columns are cut first, then dropped (width 0) when even cut they do not
    fit: the assignee, then the type, then the lead. What the task is about always stays."""
    from rich.cells import cell_len

    def natural(values: list[str]) -> int:
        return max((cell_len(v) for v in values), default=0)

    number = len(str(len(rows))) if rows else 1
    when = natural([r.when for r in rows])
    if grouped and when:
        when = 5  # HH:MM
    kind = natural([r.kind for r in rows])
    lead = max(1, natural([r.lead for r in rows]))
    about = max(1, natural([r.about for r in rows]))
    assignee = max(1, natural([r.assignee for r in rows])) if show_assignee else 0
    columns = 4 + (1 if when else 0) + (1 if show_assignee else 0)
    room = total - number - when - kind - _GAP * (columns - 1)
    if lead + about + assignee > room:
        # Too wide: cap lead and assignee first, give the rest to "about", which is what the
        # task is; a column is never narrower than a few characters.
        lead = min(lead, max(8, room * 25 // 100))
        assignee = min(assignee, max(8, room * 18 // 100)) if show_assignee else 0
        about = max(8, room - lead - assignee)
    widths = _Widths(number, when, kind, lead, about, assignee)
    if _fits(widths, show_assignee, total):
        return widths
    return _narrow(widths, total)


def _narrow(w: _Widths, total: int) -> _Widths:
    """A terminal too narrow for every column even cut: cut the text columns down to
    _NARROWEST, widest first, dropping one (assignee, type, lead) while that is not enough."""
    texts = {"kind": w.kind, "lead": w.lead, "about": w.about, "assignee": w.assignee}
    for drop in ("assignee", "kind", "lead", None):
        kept = {name: width for name, width in texts.items() if width}
        fixed = [width for width in (w.number, w.when) if width]
        room = total - sum(fixed) - _GAP * (len(fixed) + len(kept) - 1)
        floor = sum(min(width, _ABOUT_AT_LEAST if name == "about" else _NARROWEST) for name, width in kept.items())
        if room >= floor or drop is None:
            while sum(kept.values()) > max(room, len(kept)):
                # "about" is what the task is: it keeps a few more characters than the others
                widest = max(kept, key=lambda name: kept[name] - (_ABOUT_AT_LEAST - _NARROWEST) * (name == "about"))
                kept[widest] -= 1
                if kept[widest] == 0:
                    break
            when = w.when
            if room < len(kept):  # the flat table's "Thu 26 Nov 14:30" on a tiny terminal
                when = max(1, w.when - (len(kept) - room))
            return _Widths(
                w.number, when, kept.get("kind", 0), kept.get("lead", 0), max(1, kept["about"]), kept.get("assignee", 0)
            )
        texts[drop] = 0
    raise AssertionError("unreachable: the last pass always returns")


def _fits(w: _Widths, show_assignee: bool, total: int) -> bool:
    columns = [w.number, w.when, w.kind, w.lead, w.about, w.assignee]
    used = [width for width in columns if width]
    return sum(used) + _GAP * (len(used) - 1) <= total


def _lines(rows: Sequence[Row], w: _Widths, show_assignee: bool) -> Any:
    """What `_table` renders, segment for segment (so text, colours, SVG and HTML exports are
    all the same), built directly: every column has a fixed width, so Rich's table layout
    (measuring, wrapping and padding each cell) is pure cost, about 1 ms a row. Each cell goes
    through the Text operations Rich applies to a no-wrap, ellipsis column (truncation with an
    ellipsis, padding, cell widths of wide characters), and the padding segments are Padding's. Used only when a row fits the console (else `_table`, whose
    layout then squeezes columns)."""
    from rich.cells import cell_len
    from rich.segment import Segment
    from rich.style import Style
    from rich.text import Text

    def cell(value: str, width: int, right: bool = False) -> str:
        text = Text(value)
        if right:
            text.rstrip()
            text.truncate(width, overflow="ellipsis")
            text.pad_left(width - cell_len(text.plain))
        else:
            text.truncate(width, overflow="ellipsis", pad=True)
        return text.plain

    class Lines:
        def __rich_console__(self, console: Any, options: Any) -> Any:
            # A cell is one segment: its text in the column's style (None when unstyled),
            # as Rich renders a Text without spans; the padding spaces are Style().
            pad, newline, styles = Segment(" ", Style()), Segment.line(), {"": None}
            for row in rows:
                cells = [(cell(str(row.number), w.number, right=True), "dim")]
                if w.when:
                    cells.append((cell(row.when, w.when), ""))
                if w.kind:
                    cells.append((cell(row.kind, w.kind), row.kind_style))
                if w.lead:
                    cells.append((cell(row.lead, w.lead), f"link {row.link}" if row.link else ""))
                cells.append((cell(row.about, w.about), ""))
                if w.assignee:
                    cells.append((cell(row.assignee, w.assignee), "dim"))
                last = len(cells) - 1
                for index, (text, style) in enumerate(cells):
                    if style not in styles:
                        styles[style] = console.get_style(style)
                    if index:
                        yield pad
                    yield Segment(text, styles[style])
                    if index < last:
                        yield pad
                yield newline

    return Lines()


def _table(rows: Sequence[Row], w: _Widths, show_assignee: bool) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_header=False, show_edge=False, pad_edge=False, padding=(0, 1), expand=False)

    def column(width: int, justify: JustifyMethod = "left") -> None:
        table.add_column(
            width=width, min_width=width, max_width=width, no_wrap=True, overflow="ellipsis", justify=justify
        )

    column(w.number, "right")
    if w.when:
        column(w.when)
    for width in (w.kind, w.lead, w.about, w.assignee):
        if width:  # 0: dropped on a narrow terminal
            column(width)
    for row in rows:
        cells = [Text(str(row.number), style="dim")]
        if w.when:
            cells.append(Text(row.when))
        if w.kind:
            cells.append(Text(row.kind, style=row.kind_style))
        if w.lead:
            cells.append(Text(row.lead, style=f"link {row.link}" if row.link else ""))
        cells.append(Text(row.about))
        if w.assignee:
            cells.append(Text(row.assignee, style="dim"))
        table.add_row(*cells)
    return table


def heading_style(day: date | None, listing: Listing) -> str:
    if day is None:
        return "bold dim"
    if day < listing.today and listing.view != "archive":
        return "bold red"
    if day == listing.today:
        return "bold underline"
    return "bold"
