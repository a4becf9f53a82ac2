"""The installed closetask against `closetask sandbox serve` over HTTP, and the embedded
sandbox in-process: the views as a user and a script see them."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from closetask.core.ordering import sort_key, task_local_date
from closetask.core.timezone import TimeZone

pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)  # tests/conftest.py's fixed now


def task_queries(server) -> list[dict[str, str]]:
    """The query parameters of every GET /task/ in the server's log."""
    found = []
    for line in server.requests("GET"):
        _, target, _status = line.split(" ")
        url = urlsplit(target)
        if url.path == "/api/v1/task/":
            found.append(dict(parse_qsl(url.query)))
    return found


def test_inbox_json_ids_and_tsv_agree(sandbox_server, run):
    as_json = run(sandbox_server, "inbox", "--json")
    assert as_json.exit_code == 0, as_json.stderr
    tasks = json.loads(as_json.stdout)
    assert tasks, "the demo data has an inbox"
    me = {t["assigned_to"] for t in tasks}
    assert len(me) == 1
    assert all(t["is_complete"] is False for t in tasks)
    # Several types, not only lead tasks: _type=all is sent.
    assert len({t["_type"] for t in tasks}) > 1
    utc = TimeZone.utc()
    assert all(task_local_date(t, utc) <= TODAY for t in tasks)
    keys = [sort_key(t, utc) for t in tasks]
    assert keys == sorted(keys)

    ids = run(sandbox_server, "inbox", "--ids")
    assert ids.exit_code == 0, ids.stderr
    assert ids.stdout.split() == [t["id"] for t in tasks]

    tsv = run(sandbox_server, "inbox")
    assert (tsv.exit_code, tsv.stderr) == (0, "")
    rows = [line.split("\t") for line in tsv.stdout.splitlines()]
    assert all(len(row) == 10 for row in rows)
    assert [row[0] for row in rows] == [str(n) for n in range(1, len(tasks) + 1)]
    assert [row[1] for row in rows] == [t["id"] for t in tasks]
    assert [row[2] for row in rows] == [t["date"] for t in tasks]
    # A table forced into the pipe (--table) gives its rows to the terminal it counts as shown on.
    table = run(sandbox_server, "inbox", "--table", env={"CLOSETASK_TTY": "/dev/pts/7"})
    assert table.exit_code == 0 and "Today" in table.stdout
    saved = json.loads((run.home / "state" / "profiles" / "default" / "rows-dev-pts-7.json").read_text())
    assert saved["ids"] == [t["id"] for t in tasks]

    # /me/ once (then cached), and exactly the documented query.
    assert len(sandbox_server.requests("GET")) == 5  # me, then json, ids, tsv and table: one page each
    assert [line for line in sandbox_server.requests() if "/me/" in line] == ["GET /api/v1/me/ 200"]
    queries = task_queries(sandbox_server)
    assert queries[0] == {
        "_type": "all",
        "assigned_to": tasks[0]["assigned_to"],
        "view": "inbox",
        "_order_by": "date_created",  # a full listing is read by creation-date ranges
        "_skip": "0",
        "_limit": "100",
    }
    assert queries[1]["_fields"] == "id,date,date_created"


def test_future_and_archive_against_the_server(sandbox_server, run):
    future = json.loads(run(sandbox_server, "future", "--json").stdout)
    assert future and all(task_local_date(t, TimeZone.utc()) > TODAY for t in future)
    archive = run(sandbox_server, "archive", "--json", "--assignee", "all")
    assert archive.exit_code == 0, archive.stderr
    done = json.loads(archive.stdout)
    assert done and all(t["is_complete"] is True for t in done)
    days = [task_local_date(t, TimeZone.utc()) for t in done]
    assert days == sorted(days, reverse=True)  # newest day first


def test_filters_reach_the_server(sandbox_server, run):
    result = run(
        sandbox_server, "inbox", "--jsonl", "-t", "lead,voicemail", "--from", "-7d", "--fields", "id,_type,date"
    )
    assert result.exit_code == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert objects and {o["_type"] for o in objects} <= {"lead", "voicemail"}
    assert all(set(o) <= {"id", "_type", "date"} for o in objects)
    assert all(task_local_date(o, TimeZone.utc()) >= date(2026, 11, 21) for o in objects)


def _shared_conftest(config):
    """tests/conftest.py, as pytest loaded it (`import conftest` would find this directory's)."""
    from pathlib import Path

    wanted = Path(__file__).parents[1] / "conftest.py"
    for plugin in config.pluginmanager.get_plugins():
        if Path(getattr(plugin, "__file__", "") or "").resolve() == wanted.resolve():
            return plugin
    raise LookupError(wanted)


def test_every_page_of_a_big_inbox(tmp_path, run, pytestconfig):
    shared = _shared_conftest(pytestconfig)
    server = shared.start_sandbox(tmp_path, tasks=600)
    try:
        ids = run(server, "inbox", "--ids", "--assignee", "all")
        assert ids.exit_code == 0, ids.stderr
        listed = ids.stdout.split()
        pages = task_queries(server)
        assert len(listed) == len(set(listed)) > 100
        # By ranges: each page from the last task read (repeated, dropped), so never a deep _skip.
        assert all(int(q["_skip"]) < 100 for q in pages)
        assert all("date_created__gte" in q for q in pages[1:])
        assert len(pages) <= len(listed) // 99 + 1

        concurrent = run(server, "inbox", "--ids", "--assignee", "all", "--concurrency", "4")
        assert concurrent.stdout.split() == listed

        limited = run(server, "inbox", "--ids", "--assignee", "all", "--limit", "150")
        assert limited.stdout.split() == listed[:150]  # the first 150 rows, not Close's first 150
    finally:
        shared.stop_sandbox(server)


def test_sandbox_inbox_on_a_fresh_home_shows_demo_tasks(cli, tty, home):
    result = cli("--sandbox", "inbox")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Today · Sat 28 Nov" in lines
    assert any(line.startswith("Overdue · ") for line in lines)
    assert lines[-1].split(" · ")[0].endswith(" tasks")
    assert cli("--sandbox").stdout == result.stdout  # bare closetask is the inbox


def test_a_stream_that_is_not_utf8_gets_replacements_in_tables_and_escapes_in_json(run):
    """PYTHONIOENCODING=ascii (a terminal or pipe that is not UTF-8): the table prints `?`
    for what it cannot show instead of crashing half-way; JSON escapes it, losing nothing."""
    listed = run(None, "--sandbox", "inbox", "--json", "--fields", "lead_id")
    lead = json.loads(listed.stdout)[0]["lead_id"]
    assert run(None, "--sandbox", "add", "Café ☕ call", "--lead", lead, "--date", "today").exit_code == 0
    ascii_env = {"PYTHONIOENCODING": "ascii"}
    table = run(None, "--sandbox", "inbox", "--table", env=ascii_env)
    assert table.exit_code == 0, table.stderr
    assert "Caf? ? call" in table.stdout and "Traceback" not in table.stderr
    for mode in ("--json", "--jsonl"):
        out = run(None, "--sandbox", "inbox", mode, "--fields", "text", env=ascii_env)
        assert out.exit_code == 0, out.stderr
        assert "Caf\\u00e9 \\u2615 call" in out.stdout
        texts = [
            t.get("text")
            for t in (json.loads(out.stdout) if mode == "--json" else map(json.loads, out.stdout.splitlines()))
        ]
        assert "Café ☕ call" in texts
