"""Grouping and order through the CLI at UTC offsets -8, 0, +5.5 and +13, against a server
that returns the rows shuffled, three to a page. "Now" is 2026-11-28 10:00 UTC: Saturday
the 28th at every one of these offsets (02:00 at -8, 23:00 at +13), while several tasks
change day with the offset."""

from __future__ import annotations

import pytest

from view_data import task

TASKS = {
    "A": "2026-11-28T07:00:00+00:00",
    "B": "2026-11-28",
    "C": "2026-11-28T08:00:00+00:00",
    "D": "2026-11-28T11:00:00+00:00",
    "E": "2026-11-27T20:00:00+00:00",
    "F": "2026-11-27",
    "G": "2026-11-28T18:29:00+00:00",
    "H": "2026-11-28T18:30:00+00:00",
}

# (name, local day, local time) in display order.
EXPECTED = {
    # The seed page's example: at -8, the date-only 28th sorts after 07:00 UTC (23:00 on the
    # 27th) and before 08:00 UTC (midnight on the 28th).
    "-8": ["F 27 ", "E 27 12:00", "A 27 23:00", "B 28 ", "C 28 00:00", "D 28 03:00", "G 28 10:29", "H 28 10:30"],
    "0": ["F 27 ", "E 27 20:00", "B 28 ", "A 28 07:00", "C 28 08:00", "D 28 11:00", "G 28 18:29", "H 28 18:30"],
    "+5.5": ["F 27 ", "B 28 ", "E 28 01:30", "A 28 12:30", "C 28 13:30", "D 28 16:30", "G 28 23:59", "H 29 00:00"],
    "+13": ["F 27 ", "B 28 ", "E 28 09:00", "A 28 20:00", "C 28 21:00", "D 29 00:00", "G 29 07:29", "H 29 07:30"],
}
HEADINGS = {
    "-8": ["Overdue · Fri 27 Nov", "Today · Sat 28 Nov"],
    "0": ["Overdue · Fri 27 Nov", "Today · Sat 28 Nov"],
    "+5.5": ["Overdue · Fri 27 Nov", "Today · Sat 28 Nov", "Tomorrow · Sun 29 Nov"],
    "+13": ["Overdue · Fri 27 Nov", "Today · Sat 28 Nov", "Tomorrow · Sun 29 Nov"],
}


@pytest.fixture
def small_pages(home):
    from closetask.config import save_file

    save_file({"profiles": {"default": {"page_size": 3}}})


def _tasks():
    return [task(f"task_{name * 20}", "lead", when, text=name) for name, when in TASKS.items()]


@pytest.mark.parametrize("offset", list(EXPECTED))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tsv_order_at_offset(cli, fake, small_pages, offset, seed):
    fake.tasks, fake.shuffle = _tasks(), seed
    result = cli("inbox", env={"CLOSETASK_TZ": offset})
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [r[0] for r in rows] == [str(n) for n in range(1, 9)]
    assert [f"{r[8]} {r[3][-2:]} {r[4]}" for r in rows] == EXPECTED[offset]
    assert len(fake.task_requests()) == 3  # 8 tasks, 3 to a page (ranges: then 4, overlapping a row)


@pytest.mark.parametrize("offset", list(EXPECTED))
def test_table_headings_at_offset(cli, fake, tty, small_pages, offset):
    fake.tasks, fake.shuffle = _tasks(), 7
    result = cli("inbox", env={"CLOSETASK_TZ": offset})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    headings = [line.strip() for line in lines if line and not line[0].isdigit()]
    assert headings == HEADINGS[offset]
    rows = [line.split() for line in lines if line[:1].isdigit() and "Task" in line]
    # Column 2 is the local time (absent for date-only rows); the last word is the text.
    assert [row[-1] for row in rows] == [e.split()[0] for e in EXPECTED[offset]]
    assert lines[-1].startswith("8 tasks · ")


@pytest.mark.parametrize("offset", list(EXPECTED))
def test_json_and_ids_follow_the_table_order(cli, fake, small_pages, offset):
    import json

    fake.tasks, fake.shuffle = _tasks(), 5
    order = [e.split()[0] for e in EXPECTED[offset]]
    as_json = cli("inbox", "--json", env={"CLOSETASK_TZ": offset})
    assert [t["text"] for t in json.loads(as_json.stdout)] == order
    ids = cli("inbox", "--ids", env={"CLOSETASK_TZ": offset})
    assert ids.stdout.split() == [f"task_{name * 20}" for name in order]


def test_iana_zone_groups_by_its_offset_in_force(cli, fake, small_pages):
    fake.tasks, fake.shuffle = _tasks(), 3
    result = cli("inbox", env={"CLOSETASK_TZ": "America/Los_Angeles"})  # PST, -8 in November
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [f"{r[8]} {r[3][-2:]} {r[4]}" for r in rows] == EXPECTED["-8"]
