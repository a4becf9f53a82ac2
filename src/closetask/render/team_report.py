"""`closetask report` on a terminal (Rich tables with bars) and in a pipe (TSV)."""

from __future__ import annotations

from typing import IO, Any

from closetask.core.team_report import AGE_LABELS, AGES, Report
from closetask.render.summary import TYPE_LABELS

BAR = 30  # characters for the longest bar
PEOPLE_BAR = 10  # beside the assignee table's columns, within 80 columns
# Short headings for the assignee table (the charts use the long labels).
SHORT = {
    "overdue_30_plus": "30+ d late",
    "overdue_8_30": "8-30 late",
    "overdue_1_7": "1-7 late",
    "today": "today",
    "upcoming": "upcoming",
    "undated": "no date",
}


def write_tsv(report: Report, out: IO[str]) -> None:
    """A header line, then one line per assignee: name, user ID, total, then each age."""
    out.write("\t".join(["assignee", "user_id", "total", *AGES]) + "\n")
    for row in report.rows:
        cells = [row.name, row.id or "", str(row.total), *(str(row.ages[a]) for a in AGES)]
        out.write("\t".join(c.replace("\t", " ") for c in cells) + "\n")


def print_report(report: Report, console: Any) -> None:
    """Three small tables: by assignee (with a bar of the total), by age, by type."""
    from rich.table import Table

    if not report.rows:
        console.print("No incomplete tasks.")
        return
    shown = [a for a in AGES if report.by_age[a]]
    people = Table(title=f"Incomplete tasks on {report.today:%a %-d %b %Y}: {report.total}", title_justify="left")
    people.add_column("assignee", no_wrap=True, overflow="ellipsis")
    for age in shown:
        style = "red" if age.startswith("overdue") else None
        people.add_column(SHORT[age], justify="right", no_wrap=True, min_width=len(SHORT[age]), style=style)
    people.add_column("total", justify="right", style="bold", no_wrap=True)
    people.add_column("", no_wrap=True, overflow="crop")
    most = max(r.total for r in report.rows)
    for row in report.rows:
        people.add_row(
            row.name, *(str(row.ages[a] or "") for a in shown), str(row.total), _bar(row.total, most, PEOPLE_BAR)
        )
    console.print(people)
    console.print(_chart("by age", [(AGE_LABELS[a], report.by_age[a]) for a in shown]))
    console.print(_chart("by type", [(TYPE_LABELS.get(k, k), n) for k, n in report.by_type.items()]))


def _chart(title: str, rows: list[tuple[str, int]]) -> Any:
    from rich.table import Table

    chart = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 1))
    most = max((n for _, n in rows), default=0)
    for label, n in rows:
        chart.add_row(label, str(n), _bar(n, most))
    return chart


def _bar(n: int, most: int, size: int = BAR) -> str:
    width = round(size * n / most) if most else 0
    return "█" * max(width, 1 if n else 0)
