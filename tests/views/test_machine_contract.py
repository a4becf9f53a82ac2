"""The machine-output contract: what scripts parse. Exact bytes are pinned here, so a change
to any of these formats is a deliberate, visible decision (render/machine.py documents them).
"""

from __future__ import annotations

import json

from view_data import T, task

# Server order on purpose differs from display order (2 is overdue, 3 is date-only today).
TASKS = [
    task(
        T(1),
        "incoming_email",
        "2026-11-28T09:30:00+00:00",
        lead_name="Initech",
        subject="Re: pricing\tfor 40 seats",
        is_new=True,
        future_field={"nested": [1, 2]},
    ),
    task(T(2), "lead", "2026-11-26", lead_name="Zoë & Co", text="Call back\nabout the renewal"),
    task(
        T(3),
        "voicemail",
        "2026-11-28",
        lead_name="Stark",
        phone="+442079460958",
        phone_formatted=None,
        voicemail_duration=95,
    ),
]

JSON = """\
[
  {
    "id": "task_00000000000000000002",
    "_type": "lead",
    "lead_id": "lead_00000000000000000002",
    "lead_name": "Zoë & Co",
    "date": "2026-11-26",
    "is_complete": false,
    "assigned_to": "user_MeMeMeMeMeMeMeMeMe01",
    "assigned_to_name": "Rita Rep",
    "date_created": "2026-11-01T12:00:00+00:00",
    "text": "Call back\\nabout the renewal"
  },
  {
    "id": "task_00000000000000000003",
    "_type": "voicemail",
    "lead_id": "lead_00000000000000000003",
    "lead_name": "Stark",
    "date": "2026-11-28",
    "is_complete": false,
    "assigned_to": "user_MeMeMeMeMeMeMeMeMe01",
    "assigned_to_name": "Rita Rep",
    "date_created": "2026-11-01T12:00:00+00:00",
    "phone": "+442079460958",
    "phone_formatted": null,
    "voicemail_duration": 95
  },
  {
    "id": "task_00000000000000000001",
    "_type": "incoming_email",
    "lead_id": "lead_00000000000000000001",
    "lead_name": "Initech",
    "date": "2026-11-28T09:30:00+00:00",
    "is_complete": false,
    "assigned_to": "user_MeMeMeMeMeMeMeMeMe01",
    "assigned_to_name": "Rita Rep",
    "date_created": "2026-11-01T12:00:00+00:00",
    "subject": "Re: pricing\\tfor 40 seats",
    "is_new": true,
    "future_field": {
      "nested": [
        1,
        2
      ]
    }
  }
]
"""

JSONL = (
    '{"id":"task_00000000000000000001","_type":"incoming_email","lead_id":"lead_00000000000000000001",'
    '"lead_name":"Initech","date":"2026-11-28T09:30:00+00:00","is_complete":false,'
    '"assigned_to":"user_MeMeMeMeMeMeMeMeMe01","assigned_to_name":"Rita Rep",'
    '"date_created":"2026-11-01T12:00:00+00:00","subject":"Re: pricing\\tfor 40 seats","is_new":true,'
    '"future_field":{"nested":[1,2]}}\n'
    '{"id":"task_00000000000000000002","_type":"lead","lead_id":"lead_00000000000000000002",'
    '"lead_name":"Zoë & Co","date":"2026-11-26","is_complete":false,'
    '"assigned_to":"user_MeMeMeMeMeMeMeMeMe01","assigned_to_name":"Rita Rep",'
    '"date_created":"2026-11-01T12:00:00+00:00","text":"Call back\\nabout the renewal"}\n'
    '{"id":"task_00000000000000000003","_type":"voicemail","lead_id":"lead_00000000000000000003",'
    '"lead_name":"Stark","date":"2026-11-28","is_complete":false,'
    '"assigned_to":"user_MeMeMeMeMeMeMeMeMe01","assigned_to_name":"Rita Rep",'
    '"date_created":"2026-11-01T12:00:00+00:00","phone":"+442079460958","phone_formatted":null,'
    '"voicemail_duration":95}\n'
)

IDS = "task_00000000000000000002\ntask_00000000000000000003\ntask_00000000000000000001\n"

# row  id  date  local_date  local_time  type  lead_id  lead_name  about  assignee
TSV = (
    "1\ttask_00000000000000000002\t2026-11-26\t2026-11-26\t\tlead\tlead_00000000000000000002\tZoë & Co\tCall back about the renewal\tRita Rep\n"
    "2\ttask_00000000000000000003\t2026-11-28\t2026-11-28\t\tvoicemail\tlead_00000000000000000003\tStark\t+442079460958 · 1:35\tRita Rep\n"
    "3\ttask_00000000000000000001\t2026-11-28T09:30:00+00:00\t2026-11-28\t09:30\tincoming_email\tlead_00000000000000000001\tInitech\tRe: pricing for 40 seats\tRita Rep\n"
)


def test_json_is_closes_objects_in_display_order(cli, fake):
    fake.tasks = TASKS
    result = cli("inbox", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == JSON


def test_jsonl_is_one_compact_object_per_line_in_server_order(cli, fake):
    fake.tasks = TASKS
    result = cli("inbox", "--jsonl")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == JSONL


def test_ids_one_per_line_in_display_order(cli, fake):
    fake.tasks = TASKS
    result = cli("inbox", "--ids")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == IDS


def test_tsv_off_a_terminal_has_fixed_columns_and_no_decoration(cli, fake, home):
    fake.tasks = TASKS
    result = cli("inbox")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == TSV
    assert "\x1b" not in result.stdout
    # TSV's row column is the position in this listing; it gives no row numbers to later
    # commands (a status bar or `| wc -l` must not change what `done 3` means at a terminal).
    assert not list((home / "state" / "profiles" / "default").glob("rows*"))


def test_tsv_column_order_is_the_documented_one():
    from closetask.render import machine

    assert machine.TSV_COLUMNS == (
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
    assert "row  id  date  local_date  local_time  type  lead_id  lead_name  about  assignee" in machine.__doc__


def test_tsv_never_truncates(cli, fake):
    fake.tasks = [task(T(1), "lead", "2026-11-28", text="x" * 500)]
    result = cli("inbox")
    assert result.stdout.split("\t")[8] == "x" * 500


def test_empty_results(cli, fake):
    assert cli("inbox", "--json").stdout == "[]\n"
    for flag in ("--jsonl", "--ids"):
        result = cli("inbox", flag)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    tsv = cli("inbox")
    assert (tsv.exit_code, tsv.stdout, tsv.stderr) == (0, "", "")  # nobody to be kind to


def test_fields_asks_close_for_less_and_prints_only_those(cli, fake):
    fake.tasks = TASKS
    result = cli("inbox", "--json", "--fields", "lead_name,id")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"lead_name": "Zoë & Co", "id": T(2)},
        {"lead_name": "Stark", "id": T(3)},
        {"lead_name": "Initech", "id": T(1)},
    ]
    # The sort fields ride along so display order stays right; they are not printed.
    assert fake.task_requests()[0]["_fields"] == "lead_name,id,date,date_created"
    lines = cli("inbox", "--jsonl", "--fields", "id").stdout.splitlines()
    assert lines == [f'{{"id":"{T(n)}"}}' for n in (1, 2, 3)]


def test_a_field_no_task_has_is_warned_about_once_not_refused(cli, fake):
    """A typo (`lead_nam`) is not an error (Close adds fields; a type may lack one), but it
    is named once on stderr rather than passing as silently missing keys."""
    fake.tasks = TASKS
    for mode in ("--json", "--jsonl"):
        result = cli("inbox", mode, "--fields", "id,lead_nam,contact_idd")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == (
            "warning: no task listed has contact_idd, lead_nam "
            "(--fields keeps only the names Close's task objects use)\n"
        )
        assert "lead_nam" not in result.stdout
    fine = cli("inbox", "--json", "--fields", "id,lead_name")
    assert (fine.exit_code, fine.stderr) == (0, "")
    fake.tasks = []
    assert cli("inbox", "--json", "--fields", "lead_nam").stderr == ""  # no task: nothing to tell


def test_no_colour_in_machine_output_even_when_forced(cli, fake):
    fake.tasks = TASKS
    for args in (["--json"], ["--jsonl"], ["--ids"], []):
        result = cli("inbox", *args, env={"FORCE_COLOR": "1"})
        assert "\x1b" not in result.stdout
