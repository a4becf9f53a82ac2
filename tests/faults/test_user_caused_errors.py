"""Nothing a user can cause ends in "unexpected error": a state directory that cannot be
written, a pasted 5,000-digit number. In-process against the embedded sandbox.

Tests run as root here, where a read-only mode is ignored, so a plain file stands where the
state directory should be: every write under it fails, as on a read-only or full disk.
"""

from __future__ import annotations

import pytest

HUGE = "9" * 5000


@pytest.fixture
def broken_state(cli, home):
    cli.terminal.add("stdout")
    assert cli("--sandbox", "inbox").exit_code == 0  # seeds the sandbox, saves rows
    import shutil

    shutil.rmtree(home / "state")
    (home / "state").write_text("not a directory")
    shutil.rmtree(home / "cache", ignore_errors=True)
    (home / "cache").write_text("not a directory")
    return home


def test_a_listing_still_prints_and_warns_once_that_rows_were_not_saved(cli, broken_state):
    result = cli("--sandbox", "inbox")
    assert result.exit_code == 0
    assert "tasks" in result.stdout  # the table
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: row numbers were not saved")]
    assert len(warnings) == 1
    assert str(broken_state / "state") in warnings[0]
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("done", "FIRST"),
        ("bulk", "--all", "--assignee", "all", "--complete", "--yes"),
    ],
    ids=["done", "bulk"],
)
def test_a_change_refuses_before_sending_and_names_the_path(cli, broken_state, args):
    before = cli("--sandbox", "inbox", "--assignee", "all", "--ids").stdout
    result = cli("--sandbox", *[before.split()[0] if arg == "FIRST" else arg for arg in args])
    assert result.exit_code == 1
    error, hint = result.stderr.splitlines()[-2:]
    assert error.startswith(f"error: cannot write the change lock {broken_state / 'state'}")
    assert error.endswith("nothing was sent")
    assert hint.startswith("hint: ")
    assert cli("--sandbox", "inbox", "--assignee", "all", "--ids").stdout == before  # nothing changed


def test_undo_list_names_the_journal_it_cannot_read(cli, broken_state):
    result = cli("--sandbox", "undo", "--list")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot read the undo journal {broken_state / 'state'}")


@pytest.mark.parametrize(
    "args",
    [
        ("done", HUGE),
        ("show", HUGE),
        ("snooze", HUGE, "tomorrow"),
        ("inbox", "--limit", HUGE),
        ("bulk", "--all", "--complete", "--max", HUGE),
    ],
    ids=["done", "show", "snooze", "--limit", "--max"],
)
def test_an_absurd_number_is_a_short_usage_error(cli, args):
    cli.terminal.add("stdout")
    cli("--sandbox", "inbox")
    result = cli("--sandbox", *args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and len(lines) <= 2
    assert "unexpected" not in result.stderr
    assert len(lines[0]) < 200  # the 5,000 digits are not echoed back


def test_a_journal_that_cannot_be_written_stops_a_change_before_it_is_sent(cli, home):
    cli.terminal.add("stdout")
    first = cli("--sandbox", "inbox", "--ids").stdout.split()[0]
    journal = home / "state" / "profiles" / "sandbox" / "journal.jsonl"
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.mkdir()  # not a file: reading and writing it both fail
    result = cli("--sandbox", "done", first)
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-2]
    assert error.startswith(f"error: cannot write the undo journal {journal}")
    assert error.endswith("; nothing was sent")
    assert first in cli("--sandbox", "inbox", "--ids").stdout  # still open: nothing was sent
