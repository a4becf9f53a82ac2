"""The real closetask against the task objects real Close sent, served over loopback HTTP.

Every command that takes or shows a task meets `noti_` IDs, system tasks without
`due_date`/`is_dateless`/`text`, and a lead name with a no-break space, and the server's
state is read back by plain HTTP, not through closetask.
"""

from __future__ import annotations

import json

import pytest

from recorded_close import recorded
from recorded_server import ME, raw_objects, serve_recorded

FOLLOWUP = recorded("task_email_followup_airbyte_1.json")["id"]
OPPORTUNITY = recorded("task_opportunity_due_airbyte_1.json")["id"]
DONE_LEAD_TASK = recorded("task_lead_airbyte_1.json")["id"]
NBSP = "\u00a0"


@pytest.fixture
def close():
    server, httpd = serve_recorded()
    yield server
    httpd.shutdown()
    httpd.server_close()


def task_state(close, task_id: str) -> dict:
    return close.get(f"task/{task_id}/")


def test_the_recordings_are_what_these_tests_claim():
    assert FOLLOWUP.startswith("noti_") and OPPORTUNITY.startswith("noti_") and DONE_LEAD_TASK.startswith("task_")
    assert NBSP in recorded("task_lead_airbyte_1.json")["lead_name"]
    for system in (recorded("task_email_followup_airbyte_1.json"), recorded("task_opportunity_due_airbyte_1.json")):
        assert not {"due_date", "is_dateless", "text"} & set(system)


@pytest.mark.parametrize("fmt", ["--json", "--jsonl"])
def test_json_and_jsonl_print_close_objects_unchanged(close, run, fmt):
    """Same keys in the same order, same values, U+00A0 as is (not escaped)."""
    raw = raw_objects()
    printed = []
    for view in ("inbox", "archive"):
        result = run(close, view, "--type", "all", "--assignee", "all", fmt)
        assert result.exit_code == 0, result.stderr
        objects = (
            json.loads(result.stdout) if fmt == "--json" else [json.loads(line) for line in result.stdout.splitlines()]
        )
        printed += objects
        if view == "archive":
            assert NBSP in result.stdout and "\\u00a0" not in result.stdout
    assert sorted(t["id"] for t in printed) == sorted(raw)
    for task in printed:
        assert json.dumps(task, ensure_ascii=False) == raw[task["id"]]


def test_show_takes_noti_ids_and_prints_them_unchanged_with_json(close, run):
    for task_id in (FOLLOWUP, OPPORTUNITY, DONE_LEAD_TASK):
        result = run(close, "show", task_id, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.dumps(json.loads(result.stdout), ensure_ascii=False) == raw_objects()[task_id]
    shown = run(close, "show", OPPORTUNITY)
    assert shown.exit_code == 0, shown.stderr
    assert f"ID           {OPPORTUNITY}" in shown.stdout
    assert "Value        $500" in shown.stdout and "Period       one_time" in shown.stdout


def test_the_inbox_lists_system_tasks_by_their_noti_ids(close, run):
    result = run(close, "inbox", "--type", "all", "--ids")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [OPPORTUNITY, FOLLOWUP]  # by date: 2021, then 2022
    rows = [line.split("\t") for line in run(close, "inbox", "--type", "all").stdout.splitlines()]
    assert [(r[1], r[5]) for r in rows] == [(OPPORTUNITY, "opportunity_due"), (FOLLOWUP, "email_followup")]
    assert rows[0][8].startswith("$500 · Use opportunities") and rows[1][8] == "(no subject)"


def test_ids_piped_into_done_complete_the_followup_and_undo_reopens_it(close, run):
    ids = run(close, "inbox", "--ids", "--type", "email_followup")
    assert ids.stdout == f"{FOLLOWUP}\n"
    done = run(close, "done", "-", input=ids.stdout)
    assert done.exit_code == 0, done.stderr
    assert task_state(close, FOLLOWUP)["is_complete"] is True
    assert task_state(close, OPPORTUNITY)["is_complete"] is False
    undo = run(close, "undo", "--yes")
    assert undo.exit_code == 0, undo.stderr
    assert task_state(close, FOLLOWUP)["is_complete"] is False


def test_readmes_snooze_pipeline_moves_the_opportunity_task(close, run):
    ids = run(close, "inbox", "--ids", "--type", "opportunity_due")
    moved = run(close, "snooze", "-", "tomorrow", input=ids.stdout)
    assert moved.exit_code == 0, moved.stderr
    assert task_state(close, OPPORTUNITY)["date"] == "2026-11-29"
    assert task_state(close, FOLLOWUP)["date"] == "2022-11-15"


def test_bulk_by_noti_id_is_journaled_and_undone(close, run):
    result = run(close, "bulk", "--id", FOLLOWUP, "--id", OPPORTUNITY, "--complete", "--yes")
    assert result.exit_code == 0, result.stderr
    assert all(task_state(close, i)["is_complete"] for i in (FOLLOWUP, OPPORTUNITY))
    listed = run(close, "undo", "--list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["command"].startswith("bulk --id")
    assert run(close, "undo", "--yes").exit_code == 0
    assert not any(task_state(close, i)["is_complete"] for i in (FOLLOWUP, OPPORTUNITY))


def test_reassign_a_noti_task_and_refuse_a_user_who_left(close, run):
    moved = run(close, "reassign", OPPORTUNITY, "--assign-to", "theo@nested.com")
    assert moved.exit_code == 0, moved.stderr
    assert task_state(close, OPPORTUNITY)["assigned_to"] == "user_3icdBiVetzNHo1WB5RHkFc2jLlzkrFCbsBx6vMwuQY8"
    left = run(close, "reassign", FOLLOWUP, "--assign-to", "kate@close.io")
    assert left.exit_code == 2
    assert left.stderr == (
        "error: kate@close.io is no longer in an organization (Close lists none for them): "
        "assign the tasks to a current user\n"
    )
    assert task_state(close, FOLLOWUP)["assigned_to"] == ME["id"]


def test_edit_a_noti_task_date_but_not_its_text(close, run):
    refused = run(close, "edit", FOLLOWUP, "--text", "Reply")
    assert refused.exit_code == 2 and "only lead tasks have text" in refused.stderr
    assert run(close, "edit", FOLLOWUP, "--text", "Reply", "--dry-run").exit_code == 2
    moved = run(close, "edit", FOLLOWUP, "--date", "2026-12-01")
    assert moved.exit_code == 0, moved.stderr
    assert task_state(close, FOLLOWUP)["date"] == "2026-12-01"
    assert "text" not in task_state(close, FOLLOWUP)


def test_other_ids_from_a_close_object_are_refused_in_one_line(close, run):
    task = recorded("task_email_followup_airbyte_1.json")
    for pasted, what in (
        (task["lead_id"], "a lead ID"),
        (task["object_id"], "an activity ID"),
        (task["contact_id"], "a contact ID"),
    ):
        result = run(close, "show", pasted)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {pasted} is {what}") and len(result.stderr.splitlines()) <= 2
