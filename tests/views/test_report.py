"""`closetask report` against the embedded sandbox: its counts are what the listings show,
its --json shape is pinned, TSV has a header line, a terminal gets tables with bars; ages are
local days, at offsets west and east of UTC and half-hour zones."""

from __future__ import annotations

import json
from datetime import date

import pytest

from closetask.core.team_report import AGES, age_of
from closetask.core.timezone import TimeZone


def ids(cli, *args: str) -> list[str]:
    result = cli("--sandbox", *args, "--ids")
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("who", [(), ("--assignee", "all")])
def test_counts_are_what_the_listings_show(cli, who):
    result = cli("--sandbox", "report", "--json", *who)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["today", "total", "by_age", "by_type", "by_assignee"]
    assert list(data["by_age"]) == list(AGES)
    inbox, future = ids(cli, "inbox", *who), ids(cli, "future", *who)
    assert data["total"] == len(inbox) + len(future) == sum(data["by_type"].values())
    by_age = data["by_age"]
    assert by_age["upcoming"] == len(future)
    assert by_age["today"] + by_age["overdue_1_7"] + by_age["overdue_8_30"] + by_age["overdue_30_plus"] == len(inbox)
    for row in data["by_assignee"]:
        assert list(row) == ["id", "name", "total", *AGES]
        assert row["total"] == sum(row[a] for a in AGES)
    assert sum(r["total"] for r in data["by_assignee"]) == data["total"]
    assert len(data["by_assignee"]) == (1 if not who else 3)
    totals = [r["total"] for r in data["by_assignee"]]
    assert totals == sorted(totals, reverse=True)


def test_tsv_in_a_pipe_and_bars_on_a_terminal(cli):
    tsv = cli("--sandbox", "report", "--assignee", "all")
    lines = tsv.stdout.splitlines()
    assert lines[0] == "\t".join(["assignee", "user_id", "total", *AGES])
    assert len(lines) == 4 and all(len(line.split("\t")) == 3 + len(AGES) for line in lines)
    cli.terminal.add("stdout")
    table = cli("--sandbox", "report", "--assignee", "all", env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.stderr
    assert "Incomplete tasks on Sat 28 Nov 2026: 45" in table.stdout
    assert "█" in table.stdout and "by age" in table.stdout and "by type" in table.stdout


def test_the_type_and_lead_filters_narrow_it(cli):
    calls = json.loads(cli("--sandbox", "report", "--json", "--assignee", "all", "--type", "missed_call").stdout)
    assert list(calls["by_type"]) == ["missed_call"]
    assert calls["total"] == len(ids(cli, "inbox", "--assignee", "all", "--type", "missed_call")) + len(
        ids(cli, "future", "--assignee", "all", "--type", "missed_call")
    )


@pytest.mark.parametrize(
    "offset, late_night, expected",
    [
        # 2026-11-20T07:30Z is 19 Nov 23:30 at -8, 20 Nov 13:00 at +5.5: 9 and 8 days late
        (-8, "2026-11-20T07:30:00+00:00", "overdue_8_30"),
        (-2.5, "2026-11-21T01:00:00+00:00", "overdue_8_30"),  # 20 Nov 22:30 local: 8 days late
        (-2.5, "2026-11-21T03:00:00+00:00", "overdue_1_7"),  # 21 Nov 00:30 local: 7 days late
        (0, "2026-11-28T23:59:00+00:00", "today"),
        (5.5, "2026-11-28T19:00:00+00:00", "upcoming"),  # 29 Nov 00:30 local
        (-8, "2026-11-29T06:00:00+00:00", "today"),  # 28 Nov 22:00 local
    ],
)
def test_age_is_the_local_day_at_any_offset(offset, late_night, expected):
    assert age_of({"date": late_night}, TimeZone.parse(str(offset)), date(2026, 11, 28)) == expected


def test_age_boundaries():
    tz, today = TimeZone.parse("UTC"), date(2026, 11, 28)
    assert [age_of({"date": d}, tz, today) for d in ("2026-10-28", "2026-10-29", "2026-11-20", "2026-11-21")] == [
        "overdue_30_plus",
        "overdue_8_30",
        "overdue_8_30",
        "overdue_1_7",
    ]
    assert age_of({}, tz, today) == "undated"
