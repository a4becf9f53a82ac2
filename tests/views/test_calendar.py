"""`closetask calendar` against the embedded sandbox: the file parses with icalendar, one
event per incomplete task the views list, all-day for date-only tasks and timed events at the
task's instant in UTC, UIDs stable across runs, -o written atomically with mode 0600, and the
same instants whatever the profile's zone (west of UTC, half-hour, across a DST change)."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from closetask.core.ordering import parse_task_date


def events(text: str) -> dict[str, object]:
    cal = Calendar.from_ical(text)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def listed(cli, *args: str) -> dict[str, dict]:
    tasks = {}
    for view in ("inbox", "future"):
        result = cli("--sandbox", view, "--json", *args)
        assert result.exit_code == 0, result.stderr
        tasks.update({t["id"]: t for t in json.loads(result.stdout)})
    return tasks


def test_one_event_per_task_the_views_list_all_day_or_at_its_instant(cli):
    result = cli("--sandbox", "calendar", "--duration", "30")
    assert result.exit_code == 0, result.stderr
    found = events(result.stdout)
    tasks = listed(cli)
    assert set(found) == {f"{i}@closetask" for i in tasks} and len(found) >= 20
    kinds = set()
    for task_id, task in tasks.items():
        event = found[f"{task_id}@closetask"]
        when = parse_task_date(task["date"])
        start, end = event["dtstart"].dt, event["dtend"].dt
        if isinstance(when, datetime):
            assert start == when.astimezone(timezone.utc) and start.tzinfo is not None
            assert end - start == timedelta(minutes=30)
            kinds.add("timed")
        else:
            assert type(start) is date and start == when and end == when + timedelta(days=1)
            kinds.add("all-day")
        assert str(event["url"]) == f"https://app.close.com/lead/{task['lead_id']}/"
        assert task["lead_name"] in str(event["summary"]) and str(event["url"]) in str(event["description"])
    assert kinds == {"timed", "all-day"}  # the demo data has both


def test_uids_are_stable_and_the_file_is_written_whole_and_private(cli, tmp_path):
    target = tmp_path / "cal" / "tasks.ics"
    first = cli("--sandbox", "calendar", "-o", str(target))
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "" and first.stderr.startswith("Wrote ") and str(target) in first.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    before = events(target.read_text())
    # A task done meanwhile leaves the calendar; the others keep their UIDs.
    gone = sorted(before)[0].removesuffix("@closetask")
    assert cli("--sandbox", "done", gone).exit_code == 0
    again = cli("--sandbox", "calendar", "-o", str(target))
    assert again.exit_code == 0, again.stderr
    after = events(target.read_text())
    assert set(after) == set(before) - {f"{gone}@closetask"}
    assert [p.name for p in target.parent.iterdir()] == ["tasks.ics"]  # no temporary file left


def test_an_unwritable_target_is_one_line_and_exit_1(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = cli("--sandbox", "calendar", "-o", str(blocker / "tasks.ics"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write {blocker / 'tasks.ics'}: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "-8", "5.5", "Asia/Kolkata", "America/St_Johns"])
def test_instants_do_not_depend_on_the_profiles_zone(cli, zone):
    """A timed task is one instant: the same UTC start whatever the profile's zone."""
    base = events(cli("--sandbox", "calendar").stdout)
    shifted = cli("--sandbox", "calendar", env={"CLOSETASK_TZ": zone})
    assert shifted.exit_code == 0, shifted.stderr
    assert {u: e["dtstart"].dt for u, e in events(shifted.stdout).items()} == {
        u: e["dtstart"].dt for u, e in base.items()
    }


def test_a_timed_task_across_a_dst_change_keeps_its_local_time(cli):
    """Across the DST change of 8 March 2026 in Los Angeles: 09:00 local is 17:00Z before
    it and 16:00Z after."""
    lead = next(iter(listed(cli).values()))["lead_id"]
    env = {"CLOSETASK_TZ": "America/Los_Angeles"}
    ids = []
    for day in ("2026-03-06 09:00", "2026-03-09 09:00"):
        added = cli("--sandbox", "add", f"Call {day}", "--lead", lead, "--date", day, env=env)
        assert added.exit_code == 0, added.stderr
        ids.append(added.stdout.strip())
    found = events(cli("--sandbox", "calendar", env=env).stdout)
    starts = [found[f"{i}@closetask"]["dtstart"].dt for i in ids]
    assert starts == [
        datetime(2026, 3, 6, 17, 0, tzinfo=timezone.utc),  # PST, UTC-8
        datetime(2026, 3, 9, 16, 0, tzinfo=timezone.utc),  # PDT, UTC-7
    ]
