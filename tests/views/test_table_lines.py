"""The table's direct line rendering (render/table.py `_lines`, used when the row fits the
console) renders exactly what Rich's table layout (`_table`) renders: the same segments (text
and style), so terminals, SVG and HTML exports all match, for odd text (markup, wide and
zero-width characters, long values) at any width."""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console

from closetask.render import table

TEXTS = [
    "Call about the renewal",
    "[red]not markup[/red]",
    "日本語のテキスト",
    "emoji 🎉🎉 ok",
    "e\u0301",
    "zero\u200bwidth",
    "x" * 70,
    "",
    "  padded  ",
    "Ünïcödé · ok",
]
KINDS = [
    (label, table.TYPE_STYLES.get(kind, ""))
    for kind, label in (
        ("lead", "Task"),
        ("missed_call", "Missed call"),
        ("voicemail", "Voicemail"),
        ("opportunity_due", "Opportunity"),
        ("odd", "?"),
    )
]


def _rows(rng: random.Random, count: int) -> list:
    rows = []
    for number in range(1, count + 1):
        kind, style = rng.choice(KINDS)
        rows.append(
            table.Row(
                number=number,
                when=rng.choice(["", "09:30", "Thu 26 Nov 14:30"]),
                kind=kind,
                kind_style=style,
                lead=rng.choice(TEXTS),
                about=" ".join(rng.choice(TEXTS) for _ in range(rng.randint(0, 4))),
                assignee=rng.choice(["Alex Morgan", "名前 名前", "", "y" * 30]),
            )
        )
    return rows


def _console(width: int, color: bool) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        highlight=False,
        soft_wrap=False,
    )


def _printed(renderable, width: int, color: bool) -> str:
    console = _console(width, color)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def _segments(renderable, width: int) -> list:
    console = _console(width, True)
    return list(console.render(renderable, console.options))


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("color", [True, False])
def test_lines_print_what_the_rich_table_prints(seed, color):
    rng = random.Random(seed)
    rows = _rows(rng, rng.randint(1, 30))
    show_assignee, grouped = rng.random() < 0.5, rng.random() < 0.7
    # Rows that do not fit a narrow console go through the Rich table itself; compare at the
    # first width (from a random one up) where the direct lines are used.
    for width in (rng.choice([40, 60, 80, 100, 120, 160, rng.randint(30, 220)]), 160, 240):
        widths = table._widths(rows, width, show_assignee, grouped)
        if table._fits(widths, show_assignee, width):
            break
    else:
        pytest.fail("rows fit no console width up to 240")
    fast, rich_table = table._lines(rows, widths, show_assignee), table._table(rows, widths, show_assignee)
    assert _printed(fast, width, color) == _printed(rich_table, width, color)
    assert _segments(fast, width) == _segments(rich_table, width)
