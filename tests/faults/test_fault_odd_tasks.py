"""Task objects from the server with missing, null, extra or oddly typed fields render in
every output format (table, TSV, JSON, JSONL, IDs, show) without crashing, and every task
is listed exactly once."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timezone

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closetask.core.timezone import TimeZone

TODAY = date(2026, 11, 28)
# Text from the server must never reach the terminal with control characters in it: an
# incoming SMS or email is written by outsiders, and ESC sequences would drive the terminal.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # all but TAB (the TSV separator)
ZONES = [TimeZone.parse(z) for z in ("-8", "-2.5", "0", "5.5", "13", "America/Los_Angeles")]
TYPES = [
    "lead",
    "incoming_email",
    "email_followup",
    "missed_call",
    "answered_detached_call",
    "voicemail",
    "opportunity_due",
    "incoming_sms",
    "some_new_type",
]

# A whole task of each kind, as Close sends it; the strategy then drops, nulls or mistypes fields.
FULL = {
    "id": "task_Odd0000000000000000001",
    "_type": "lead",
    "object_type": "taskcompletion",
    "object_id": None,
    "organization_id": "orga_Odd00000000000000000001",
    "lead_id": "lead_Odd00000000000000000001",
    "lead_name": "Acme\tCorp\n",
    "contact_id": "cont_Odd0000000000000000001",
    "contact_name": "Jane",
    "assigned_to": "user_Odd00000000000000000001",
    "assigned_to_name": "Jane Doe",
    "text": "Call back",
    "subject": "Re: quote",
    "body_preview": "Hi",
    "phone": "+14155550100",
    "phone_number_description": "mobile",
    "remote_phone": "+14155550101",
    "voicemail_duration": 42,
    "opportunity_value": 120000,
    "opportunity_value_currency": "USD",
    "opportunity_value_period": "monthly",
    "opportunity_note": "renewal",
    "date": "2026-11-28",
    "due_date": "2026-11-28",
    "is_dateless": False,
    "is_complete": False,
    "view": "inbox",
    "date_created": "2026-11-01T09:00:00+00:00",
    "date_updated": "2026-11-02T09:00:00+00:00",
    "created_by": "user_Odd00000000000000000001",
    "created_by_name": "Jane",
    "updated_by": None,
    "updated_by_name": None,
}

odd = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.text(st.characters(codec="utf-8"), max_size=5).map(lambda s: s + "\x1b[31m\r\n\t"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
day_like = st.one_of(
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str),
    st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(timezone.utc)).map(
        lambda d: d.isoformat()
    ),
    st.sampled_from(
        [
            "",
            "2026-02-30",
            "2026-11-28T25:00:00",
            "2026-11-28T10:00:00",
            "2026-11-28T10:00:00Z",
            "2026-11-28 10:00",
            "tomorrow",
            "0000-00-00",
            "2026-11-28T10:00:00+99:00",
        ]
    ),
)


@st.composite
def odd_task(draw) -> object:
    if draw(st.integers(0, 20)) == 0:
        return draw(odd)  # not even an object
    task = dict(FULL, _type=draw(st.sampled_from(TYPES)), id=f"task_Odd{draw(st.integers(0, 10**9)):022d}")
    for key in list(task):
        choice = draw(st.sampled_from(["keep", "keep", "drop", "null", "odd", "date"]))
        if choice == "drop":
            del task[key]
        elif choice == "null":
            task[key] = None
        elif choice == "odd":
            task[key] = draw(odd)
        elif choice == "date" and key in ("date", "due_date", "date_created", "date_updated"):
            task[key] = draw(day_like)
    task.update(draw(st.dictionaries(st.text(max_size=8), odd, max_size=3)))
    return task


def render_everything(tasks: list, tz: TimeZone, view: str, order: str | None) -> None:
    from rich.console import Console

    from closetask.core.listing import arrange
    from closetask.render import machine
    from closetask.render.table import print_table
    from closetask.render.task_detail import detail_lines, labels_summary, task_label

    objects = [t for t in tasks if isinstance(t, dict)]  # what iter_pages keeps
    listing = arrange(objects, tz=tz, today=TODAY, view=view, order=order)
    # Every task once, in one group.
    assert sorted(map(id, listing.tasks)) == sorted(map(id, objects))
    out = io.StringIO()
    machine.write_tsv(listing.tasks, tz=tz, out=out)
    rows = out.getvalue().split("\n")
    assert rows.pop() == ""
    assert len(rows) == len(objects) and all(len(r.split("\t")) == 10 for r in rows)
    assert not any(CONTROL.search(r) for r in rows)
    out = io.StringIO()
    machine.write_json(listing.tasks, out=out)
    assert len(json.loads(out.getvalue())) == len(objects)
    out = io.StringIO()
    machine.write_jsonl(listing.tasks, out=out)
    # One object per "\n"-terminated line (not str.splitlines: U+0085 and U+2028 are valid
    # inside a JSON string).
    lines = out.getvalue().split("\n")
    assert lines.pop() == ""
    assert [json.loads(line) for line in lines] == json.loads(json.dumps(listing.tasks))
    machine.write_ids(listing.tasks, out=io.StringIO())
    console = Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False)
    print_table(console, listing, tz=tz, show_assignee=True)
    assert not CONTROL.search(console.file.getvalue().replace("\n", " "))
    for task in objects:
        for line in detail_lines(task, tz):
            assert not CONTROL.search(line.replace("\t", " ")), line
        assert not CONTROL.search(task_label(task))
    assert not CONTROL.search(labels_summary(objects))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.lists(odd_task(), max_size=6),
    st.sampled_from(ZONES),
    st.sampled_from(["inbox", "future", "archive"]),
    st.sampled_from([None, "date", "-date", "date_created", "-date_created"]),
)
def test_odd_tasks_render_in_every_format(tasks, tz, view, order):
    render_everything(tasks, tz, view, order)


# --- the same through the commands, with the server's answer at the transport -------------------


@pytest.fixture
def odd_server(home, monkeypatch):
    """Every closetask client talks to a fake Close whose task listing is `odd_server.tasks`."""
    from closetask.close import http as api_module

    state = {"tasks": []}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1/")
        if path == "me/":
            return httpx.Response(200, json={"id": "user_Odd00000000000000000001", "email": "me@example.com"})
        if path == "task/" and request.method == "GET":
            return httpx.Response(200, json={"data": state["tasks"], "has_more": False})
        if path.startswith("task/") and request.method == "GET":
            wanted = path.split("/")[1]
            found = [t for t in state["tasks"] if isinstance(t, dict) and t.get("id") == wanted]
            return httpx.Response(200, json=found[0]) if found else httpx.Response(404, json={"error": "not found"})
        return httpx.Response(404, json={"error": "not here"})

    real = api_module.CloseClient

    class Routed(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            kwargs["transport"] = httpx.MockTransport(handler)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(api_module, "CloseClient", Routed)
    monkeypatch.setenv("CLOSE_API_KEY", "api_OddTasksKey.0123456789")
    return state


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(odd_task(), min_size=1, max_size=4))
def test_odd_tasks_through_the_commands(cli, odd_server, tasks):
    odd_server["tasks"] = tasks
    outputs = []  # (result, is it JSON)
    for args in (["inbox"], ["archive", "--json"], ["future", "--jsonl"], ["inbox", "--ids"]):
        outputs.append((cli(*args), "--json" in args or "--jsonl" in args))
    outputs.append((cli("inbox", tty=("stdout",)), False))  # the table
    for task in tasks:
        if isinstance(task, dict) and isinstance(task.get("id"), str) and task["id"].startswith("task_"):
            outputs.append((cli("show", task["id"]), False))
            outputs.append((cli("show", task["id"], "--json"), True))
    for result, is_json in outputs:
        assert result.exit_code == 0, result.stderr
        assert "Traceback" not in result.output and "unexpected error" not in result.stderr
        # JSON escapes what it must; text for the terminal carries no control characters.
        assert not CONTROL.search(result.stderr.replace("\n", " "))
        if not is_json:
            assert not CONTROL.search(result.stdout.replace("\n", " ").replace("\t", " ")), result.stdout


def test_hostile_text_from_outside_cannot_drive_the_terminal(cli, odd_server):
    """An incoming SMS whose sender put escape sequences in it: set the window title, clear
    the screen, move the cursor. `show`, the listings and the confirmation print none."""
    hostile = "Win a prize\x1b]0;pwned\x07\x1b[2J\x1b[1;1H\x9b31m now\r\nreply STOP"
    task = dict(
        FULL,
        _type="incoming_sms",
        text=hostile,
        lead_name="Evil\x1b[5mCorp",
        remote_phone=hostile,
        x_note=hostile,
        **{"x\x1b[31m": 1},
    )
    odd_server["tasks"] = [task]
    for args in (["show", task["id"]], ["inbox"], ["inbox", "--ids"]):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        assert not CONTROL.search(result.output.replace("\n", " ").replace("\t", " ")), (args, result.output)
    shown = cli("show", task["id"]).stdout
    assert "Win a prize ]0;pwned [2J [1;1H 31m now reply STOP" in shown
    assert '"Win a prize\\u001b]0;pwned\\u0007' in shown  # an unknown field: quoted, escaped
