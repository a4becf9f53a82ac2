"""The table people read, snapshot at 100 columns without colour, through the CLI.

A failing snapshot prints a unified diff (expected -> actual). Trailing spaces (Rich pads
cells to the column width) are not part of the snapshot.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from view_data import DATASET, T, task

INBOX = """\
Overdue · Thu 26 Nov
1         Task         Acme Corp          Call about the renewal
2  15:04  Missed call  Globex             +1 415-555-0100

Overdue · Fri 27 Nov
3  23:30  Call                            +16465550142

Today · Sat 28 Nov
4         Task         Wayne Enterprises  Send the signed contract back to legal and confirm the st…
5  08:15  Voicemail    Stark Industries   +44 20 7946 0958 · 0:42
6  09:30  Email        Initech            Re: pricing for 40 seats

Tomorrow · Sun 29 Nov
7         Follow-up    Hooli              Following up on our demo

Fri 4 Dec
8         Opportunity  Umbrella Health    $12,000 · Annual plan, 40 seats
9  16:45  SMS          Soylent            +1 212-555-0199 · Can we move the call to 5pm? Thanks

9 tasks · 3 overdue"""

ALL_USERS = """\
Overdue · Thu 26 Nov
1         Task         Acme Corp          Call about the renewal                          Rita Rep
2  15:04  Missed call  Globex             +1 415-555-0100                                 Rita Rep

Overdue · Fri 27 Nov
3  23:30  Call                            +16465550142                                    Rita Rep

Today · Sat 28 Nov
4         Task         Wayne Enterprises  Send the signed contract back to legal and co…  Rita Rep
5  08:15  Voicemail    Stark Industries   +44 20 7946 0958 · 0:42                         Rita Rep
6  09:30  Email        Initech            Re: pricing for 40 seats                        Rita Rep

Tomorrow · Sun 29 Nov
7         Follow-up    Hooli              Following up on our demo                        Sam Seller

Fri 4 Dec
8         Opportunity  Umbrella Health    $12,000 · Annual plan, 40 seats                 Rita Rep
9  16:45  SMS          Soylent            +1 212-555-0199 · Can we move the call to 5pm…  Rita Rep

9 tasks · 3 overdue"""

ARCHIVE = """\
Fri 4 Dec
1         Opportunity  Umbrella Health    $12,000 · Annual plan, 40 seats
2  16:45  SMS          Soylent            +1 212-555-0199 · Can we move the call to 5pm? Thanks

Tomorrow · Sun 29 Nov
3         Follow-up    Hooli              Following up on our demo

Today · Sat 28 Nov
4         Task         Wayne Enterprises  Send the signed contract back to legal and confirm the st…
5  08:15  Voicemail    Stark Industries   +44 20 7946 0958 · 0:42
6  09:30  Email        Initech            Re: pricing for 40 seats

Yesterday · Fri 27 Nov
7  23:30  Call                            +16465550142

Thu 26 Nov
8         Task         Acme Corp          Call about the renewal
9  15:04  Missed call  Globex             +1 415-555-0100

9 tasks"""


def assert_snapshot(actual: str, expected: str) -> None:
    lines = [line.rstrip() for line in actual.rstrip("\n").splitlines()]
    if lines != expected.splitlines():
        diff = difflib.unified_diff(expected.splitlines(), lines, "expected", "actual", lineterm="")
        pytest.fail("table snapshot changed:\n" + "\n".join(diff), pytrace=False)


def rows_file(home) -> dict:
    from closetask.core.refs import rows_file as name

    from sandboxproc import TEST_TTY

    return json.loads((home / "state" / "profiles" / "default" / name(TEST_TTY)).read_text())


def test_inbox_table(cli, fake, tty, home):
    fake.tasks = DATASET
    result = cli("inbox")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert_snapshot(result.stdout, INBOX)
    # Row numbers are remembered in display order, for `closetask done 3`.
    saved = rows_file(home)
    assert saved["ids"] == [T(n) for n in (1, 2, 9, 4, 5, 3, 6, 7, 8)]
    assert saved["command"] == "inbox"
    assert saved["saved_at"] == "2026-11-28T10:00:00+00:00"


def test_bare_closetask_is_the_inbox(cli, fake, tty):
    fake.tasks = DATASET
    result = cli()
    assert result.exit_code == 0, result.stderr
    assert_snapshot(result.stdout, INBOX)
    assert fake.task_requests()[0]["view"] == "inbox"


def test_assignee_column_when_not_only_mine(cli, fake, tty):
    fake.tasks = [dict(t) for t in DATASET]
    fake.tasks[7] = {**fake.tasks[7], "assigned_to": "user_OtherOtherOther02", "assigned_to_name": "Sam Seller"}
    result = cli("inbox", "--assignee", "all")
    assert result.exit_code == 0, result.stderr
    assert_snapshot(result.stdout, ALL_USERS)


def test_archive_is_newest_day_first_and_never_overdue(cli, fake, tty):
    fake.tasks = [{**t, "is_complete": True} for t in DATASET]
    result = cli("archive")
    assert result.exit_code == 0, result.stderr
    assert_snapshot(result.stdout, ARCHIVE)


def test_created_order_is_one_flat_list_with_the_due_day(cli, fake, tty):
    fake.tasks = [
        task(T(1), "lead", "2026-11-26", text="older", date_created="2026-11-02T00:00:00+00:00"),
        task(T(2), "lead", "2026-11-28T09:00:00+00:00", text="newest", date_created="2026-11-20T00:00:00+00:00"),
        task(T(3), "lead", "2027-01-05", text="next year", date_created="2026-11-10T00:00:00+00:00"),
    ]
    result = cli("inbox", "--order", "-created")
    assert result.exit_code == 0, result.stderr
    assert_snapshot(
        result.stdout,
        "1  Sat 28 Nov 09:00  Task  Acme Corp  newest\n"
        "2  Tue 5 Jan 2027    Task  Acme Corp  next year\n"
        "3  Thu 26 Nov        Task  Acme Corp  older\n"
        "\n"
        "3 tasks",
    )


def test_empty_inbox_is_kind_and_succeeds(cli, fake, tty, home):
    result = cli("inbox")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Inbox zero: nothing due today.\n")
    assert rows_file(home)["ids"] == []  # `done 1` now says the last listing was empty
    filtered = cli("inbox", "--type", "voicemail")
    assert (filtered.exit_code, filtered.stdout, filtered.stderr) == (0, "", "No inbox tasks match these filters.\n")


def test_limit_shows_the_first_rows_and_says_there_may_be_more(cli, fake, tty):
    fake.tasks = DATASET
    full = cli("inbox", "--ids").stdout.split()
    result = cli("inbox", "--limit", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == "2 tasks · 2 overdue · --limit reached, there may be more"
    assert cli("inbox", "--ids", "--limit", "2").stdout.split() == full[:2]


def test_markup_in_task_text_is_printed_as_is(cli, fake, tty):
    fake.tasks = [task(T(1), "lead", "2026-11-28", text="[bold red]not markup[/] \x1b[31m", lead_name="[link=x]Lead")]
    result = cli("inbox")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].rstrip() == "1  Task  [link=x]Lead  [bold red]not markup[/] [31m"


def test_narrow_terminal_cuts_with_an_ellipsis_never_wraps():
    from rich.console import Console

    from closetask.core.listing import arrange
    from closetask.core.timezone import TimeZone
    from closetask.render.table import print_table

    console = Console(width=60, color_system=None, force_terminal=False, record=True, file=open("/dev/null", "w"))
    listing = arrange(DATASET, tz=TimeZone.utc(), today=date(2026, 11, 28), view="inbox")
    print_table(console, listing, tz=TimeZone.utc(), show_assignee=True)
    lines = console.export_text().splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert len([line for line in lines if line[:1].isdigit() and "Rita Rep" in line]) == 9  # one line per task
    assert "4         Task         Wayne E…  Send the signed …  Rita Rep" in lines


def test_odd_task_objects_never_crash_the_table(cli, fake, tty):
    fake.tasks = [
        {"id": T(1)},  # nothing else
        {"id": T(2), "_type": "voicemail", "date": "garbage", "voicemail_duration": "x", "phone": 5},
        {"id": T(3), "_type": "opportunity_due", "date": 20261128, "opportunity_value": "lots"},
        {"id": T(4), "_type": "brand_new_type", "date": "2026-11-28", "subject": "New thing", "lead_name": ["x"]},
        {"id": T(5), "_type": "incoming_sms", "date": "2026-11-28T25:00:00+00:00", "text": None, "remote_phone": None},
        {"id": T(6), "_type": "lead", "date": None, "text": {"nested": True}, "assigned_to_name": 7},
        {
            "id": T(7),
            "_type": "opportunity_due",
            "date": "2026-11-28",
            "opportunity_value": 123456,
            "opportunity_value_currency": "eur",
        },
    ]
    result = cli("inbox", "--assignee", "all")
    assert result.exit_code == 0, result.stderr
    assert_snapshot(
        result.stdout,
        "Today · Sat 28 Nov\n"
        "1  brand_new_type     New thing\n"
        "2  Opportunity        €1,234.56\n"
        "\n"
        "No date\n"
        "3  ?\n"
        "4  Voicemail          5\n"
        "5  Opportunity\n"
        "6  SMS\n"
        "7  Task                          7\n"
        "\n"
        "7 tasks",
    )


# --- narrow terminals (issue 16): row numbers and times stay whole --------------------------


def _wide_dataset() -> list[dict]:
    # Twelve tasks (two-digit row numbers), timed and date-only, long leads and texts.
    tasks = [dict(t) for t in DATASET]
    for n in range(10, 13):
        tasks.append({**DATASET[n % len(DATASET)], "id": T(n)})
    return tasks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.integers(20, 120), everyone=st.booleans())
def test_every_width_from_20_keeps_row_numbers_and_times_whole(cli, fake, tty, monkeypatch, width, everyone):
    fake.tasks = _wide_dataset()
    monkeypatch.setenv("COLUMNS", str(width))
    result = cli("inbox", *(("--assignee", "all") if everyone else ()))
    assert result.exit_code == 0, result.stderr
    shown = int(re.search(r"^(\d+) tasks? ", result.stdout, re.M)[1])  # the footer's count
    rows = [line for line in result.stdout.splitlines()[:-1] if re.match(r"^\s*\d+\s", line)]  # not the footer
    assert [int(line.split()[0]) for line in rows] == list(range(1, shown + 1)), (shown, result.stdout)
    assert all(len(line) <= width for line in result.stdout.splitlines())
    number = len(str(shown))
    times = [line[number + 2 : number + 7] for line in rows]  # the time column, after the number
    assert all(re.fullmatch(r"\d{2}:\d{2}| {5}", t) for t in times), times  # whole, or blank (date-only)
    assert any(t.strip() for t in times)


@pytest.mark.parametrize("width", [20, 28, 36])
def test_a_narrow_terminal_drops_type_then_lead_before_cutting_them_to_nothing(cli, fake, tty, monkeypatch, width):
    fake.tasks = _wide_dataset()
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("inbox").stdout
    has_type = "Task" in out or "Missed" in out or "Voicemail" in out
    if width == 20:
        assert not has_type
    assert all(len(line) <= width for line in out.splitlines())


@pytest.mark.parametrize("columns", ["0", "abc", "-5", ""])
def test_nonsense_columns_is_ignored_as_if_unset(cli, fake, tty, monkeypatch, columns):
    fake.tasks = DATASET
    monkeypatch.setenv("COLUMNS", columns)
    result = cli("inbox")
    assert result.exit_code == 0
    monkeypatch.delenv("COLUMNS")
    unset = cli("inbox")
    assert unset.exit_code == 0, unset.stderr
    assert result.stdout == unset.stdout != ""


@pytest.mark.parametrize("width", [120, 60])  # 60: the folding Rich table, not the fast lines
def test_on_a_colour_terminal_the_lead_name_links_to_its_page_in_close(width):
    import io

    from rich.console import Console

    from closetask.core.listing import arrange
    from closetask.core.timezone import TimeZone
    from closetask.render.table import print_table

    def printed(color_system):
        out = io.StringIO()
        console = Console(width=width, color_system=color_system, force_terminal=color_system is not None, file=out)
        listing = arrange(DATASET, tz=TimeZone.utc(), today=date(2026, 11, 28), view="inbox")
        print_table(console, listing, tz=TimeZone.utc(), show_assignee=True)
        return out.getvalue()

    shown = printed("truecolor")
    first = arrange(DATASET, tz=TimeZone.utc(), today=date(2026, 11, 28), view="inbox").tasks[0]
    link = f"https://app.close.com/lead/{first['lead_id']}/"
    assert re.search(rf"\x1b]8;[^;]*;{re.escape(link)}\x1b\\{re.escape(first['lead_name'][:6])}", shown)
    assert "\x1b]8;" not in printed(None)  # a pipe (--table | less) gets no escape codes
