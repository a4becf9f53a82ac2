"""`closetask triage` driven by Textual's own harness (App.run_test, Pilot key presses)
against the embedded sandbox; what Close holds afterwards is read with the CLI
(`closetask --sandbox inbox --json`) or plain HTTP, never from the screen's own state."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from closetask.cli.filters import build_query
from closetask.cli.triage import make_app
from closetask.env import Env
from closetask.session import Session

ORDER = {"inbox": "date", "future": "date", "archive": "-date"}


class Screen:
    """A triage app over the sandbox and the pilot driving it."""

    def __init__(self, app: Any, pilot: Any, opened: list[str]) -> None:
        self.app, self.pilot, self.opened = app, pilot, opened

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.settle()

    async def type(self, text: str) -> None:
        await self.press(*("space" if c == " " else c for c in text))

    async def settle(self) -> None:
        # Every request runs in a worker: wait for them, then for the screen to catch up.
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()

    @property
    def status(self) -> str:
        return self.app.status_text()

    def listed(self) -> list[str]:
        return [o.id for o in self.app.tasks_list.options if not o.disabled]

    def headings(self) -> list[str]:
        return [o.id.removeprefix("day:") for o in self.app.tasks_list.options if o.disabled]

    def highlighted_id(self) -> str:
        return str(self.app.highlighted()["id"])


def session(**env: Any) -> Session:
    return Session(
        sandbox=True,
        env=Env(stdin_tty=True, stdout_tty=True, stderr_tty=True, tty_name="", sleep=lambda s: None, **env),
    )


def drive(
    scenario: Callable[[Screen], Awaitable[None]],
    *,
    view: str = "inbox",
    size=(120, 40),
    prefetch: bool = False,
    **filters: Any,
) -> Any:
    """Run `scenario` against a fresh triage screen; returns the app (its return_value)."""
    app_session = session()
    query = build_query(app_session, view=view, default_order=ORDER[view], **filters)
    opened: list[str] = []

    def open_url(url: str) -> bool:
        opened.append(url)
        return True

    app = make_app(app_session, view, query, open_url=open_url, prefetch=prefetch)

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            screen = Screen(app, pilot, opened)
            await screen.settle()
            await scenario(screen)

    asyncio.run(run())
    app_session.close()
    return app


def listing(cli, view: str = "inbox") -> list[dict[str, Any]]:
    result = cli("--sandbox", view, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ids(cli, view: str = "inbox") -> list[str]:
    return [task["id"] for task in listing(cli, view)]


def plain_http() -> httpx.Client:
    """Someone else in Close: plain HTTP to the same sandbox database, no closetask code."""
    from datetime import datetime

    from closetask.env import Env
    from closetask.sandbox import embedded

    env = Env()
    db = env.data_dir() / "sandbox.sqlite3"
    now = datetime.fromisoformat(env.environ["CLOSETASK_NOW"])
    return httpx.Client(
        base_url=embedded.BASE_URL, transport=embedded.transport(db, now=now), auth=(embedded.api_key(db), "")
    )


def test_lists_the_inbox_in_the_tables_order_with_its_day_headings(cli):
    expected = ids(cli)
    table = cli("--sandbox", "inbox", "--table").stdout
    seen: dict[str, Any] = {}

    async def scenario(s: Screen) -> None:
        seen["listed"], seen["headings"], seen["status"] = s.listed(), s.headings(), s.status

    drive(scenario)
    assert seen["listed"] == expected
    table_headings = [line.strip() for line in table.splitlines() if " \u00b7 " in line and line[:1] != " "]
    assert seen["headings"] == [h for h in table_headings if not h[0].isdigit()][: len(seen["headings"])]
    assert seen["status"].startswith(f"{len(expected)} tasks")


def test_the_list_read_before_textual_is_imported_is_the_one_shown(cli):
    expected = ids(cli, "future")
    seen: dict[str, Any] = {}

    async def scenario(s: Screen) -> None:
        seen["listed"] = s.listed()

    drive(scenario, view="future", prefetch=True)
    assert seen["listed"] == expected


def test_x_completes_the_highlighted_task_and_closetask_undo_reverts_it(cli):
    done: dict[str, str] = {}

    async def scenario(s: Screen) -> None:
        await s.press("j")
        done["id"] = s.highlighted_id()
        await s.press("x")
        done["status"] = s.status
        assert done["id"] not in s.listed()  # shown as done once Close said so

    drive(scenario)
    assert "Completed 1 task" in done["status"]
    assert done["id"] not in ids(cli)
    assert done["id"] in ids(cli, "archive")
    assert cli("--sandbox", "undo", "--yes").exit_code == 0
    assert done["id"] in ids(cli)


def test_marked_tasks_are_completed_by_one_change_that_one_undo_reverts(cli):
    marked: list[str] = []

    async def scenario(s: Screen) -> None:
        for _ in range(2):
            marked.append(s.highlighted_id())
            await s.press("space")  # marks and moves down
        await s.press("j")
        assert "\u25cf" in s.app.tasks_list.get_option(marked[0]).prompt.plain  # the mark shows
        await s.press("x")

    drive(scenario)
    inbox = ids(cli)
    assert not set(marked) & set(inbox)
    entries = json.loads(cli("--sandbox", "undo", "--list", "--json").stdout)
    assert entries[0]["tasks"] == 2  # one journal entry, one chunked PUT: not one per task
    cli("--sandbox", "undo", "--yes")
    assert set(marked) <= set(ids(cli))


def test_u_undoes_a_change_made_with_the_cli(cli):
    first = ids(cli)[0]
    assert cli("--sandbox", "done", first).exit_code == 0
    seen: dict[str, str] = {}

    async def scenario(s: Screen) -> None:
        assert first not in s.listed()
        await s.press("u")
        seen["status"] = s.status
        assert first in s.listed()

    drive(scenario)
    assert "Undid `done" in seen["status"]
    assert first in ids(cli)


def test_archive_view_x_reopens(cli):
    reopened: dict[str, str] = {}

    async def scenario(s: Screen) -> None:
        reopened["id"] = s.highlighted_id()
        await s.press("x")
        reopened["status"] = s.status

    drive(scenario, view="archive")
    assert "Reopened 1 task" in reopened["status"]
    assert reopened["id"] in ids(cli, "inbox") + ids(cli, "future")


def test_s_snoozes_to_a_when_and_esc_cancels(cli):
    moved: dict[str, str] = {}

    async def scenario(s: Screen) -> None:
        moved["id"] = s.highlighted_id()
        await s.press("s")
        await s.type("mon")
        await s.press("escape")
        assert "Cancelled" in s.status
        assert moved["id"] in s.listed()
        await s.press("s")
        await s.type("next week")
        await s.press("enter")
        moved["status"] = s.status

    drive(scenario)
    assert "Moved 1 task" in moved["status"]
    assert moved["id"] not in ids(cli)
    task = next(t for t in listing(cli, "future") if t["id"] == moved["id"])
    assert task["date"][:10] == "2026-11-30"  # next week: Monday 30 Nov, as `closetask snooze` reads it


def test_r_reassigns_to_a_user_of_the_organization(cli):
    me = json.loads(cli("--sandbox", "whoami", "--json").stdout)
    seen: dict[str, Any] = {}

    async def scenario(s: Screen) -> None:
        seen["to"] = next(u for u in s.app.backend.users() if u not in ("me", me["email"]))
        seen["id"] = s.highlighted_id()
        await s.press("r")
        await s.type(seen["to"])
        await s.press("enter")
        seen["status"] = s.status

    drive(scenario)
    assert f"Reassigned 1 task to {seen['to']}" in seen["status"], seen["status"]
    assert seen["id"] not in ids(cli)  # no longer mine
    everyone = json.loads(cli("--sandbox", "inbox", "--assignee", seen["to"], "--json").stdout)
    assert seen["id"] in [t["id"] for t in everyone]


def test_slash_filters_as_you_type_and_esc_clears(cli):
    everything = ids(cli)
    keystone = [t["id"] for t in listing(cli) if "Keystone" in str(t.get("lead_name"))]
    assert keystone and len(keystone) < len(everything)

    async def scenario(s: Screen) -> None:
        await s.press("slash")
        await s.type("keyst")
        assert s.listed() == keystone
        await s.press("escape")
        assert s.listed() == everything

    drive(scenario)


def test_o_opens_the_leads_page_and_y_copies_it(cli):
    first = listing(cli)[0]
    url = f"https://app.close.com/lead/{first['lead_id']}/"

    async def scenario(s: Screen) -> None:
        await s.press("o")
        assert s.opened == [url]
        await s.press("y")
        assert s.app.clipboard == url
        assert url in s.status

    drive(scenario)


def test_e_edits_a_lead_tasks_text(cli):
    lead_task = next(t for t in listing(cli) if t["_type"] == "lead")
    position = ids(cli).index(lead_task["id"])

    async def scenario(s: Screen) -> None:
        await s.press("g", *["j"] * position)
        assert s.highlighted_id() == lead_task["id"]
        await s.press("e")
        s.app.query_one("#prompt").value = ""
        await s.type("Call Ana back")
        await s.press("enter")

    drive(scenario)
    assert next(t for t in listing(cli) if t["id"] == lead_task["id"])["text"] == "Call Ana back"


def test_g_and_shift_g_go_to_the_first_and_last_task(cli):
    expected = ids(cli)

    async def scenario(s: Screen) -> None:
        await s.press("G")
        assert s.highlighted_id() == expected[-1]
        await s.press("k")
        assert s.highlighted_id() == expected[-2]
        await s.press("g")
        assert s.highlighted_id() == expected[0]
        await s.press("down")
        assert s.highlighted_id() == expected[1]

    drive(scenario)


def test_question_mark_lists_the_keys_and_q_quits_with_0():
    async def scenario(s: Screen) -> None:
        await s.press("question_mark")
        help_text = s.app.screen.query_one("#help").content.plain
        assert "snooze" in help_text and "undo" in help_text
        await s.press("escape")
        await s.press("q")

    app = drive(scenario)
    assert app.return_value == 0


def test_ctrl_r_refreshes_keeping_the_highlighted_task(cli):
    async def scenario(s: Screen) -> None:
        await s.press("j", "j")
        kept = s.highlighted_id()
        first = s.listed()[0]
        assert cli("--sandbox", "done", first).exit_code == 0  # done elsewhere meanwhile
        await s.press("ctrl+r")
        assert first not in s.listed()
        assert s.highlighted_id() == kept

    drive(scenario)


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            lambda request: httpx.Response(429, headers={"Retry-After": "1"}, json={"error": "rate limited"}),
            "error: Close answered 429",
        ),
        (
            lambda request: (_ for _ in ()).throw(httpx.ConnectError("no route", request=request)),
            "error: could not connect",
        ),
    ],
    ids=["rate-limited", "network-down"],
)
def test_a_failing_server_is_one_line_in_the_status_line_and_the_screen_stays(cli, answer, said):
    seen: dict[str, Any] = {}

    async def scenario(s: Screen) -> None:
        seen["id"] = s.highlighted_id()
        app_session = s.app.backend.app
        # Close goes away after the list was shown.
        app_session._client = app_session.client_for(
            "http://sandbox.local/api/v1/", "key", app_session.tz, transport=httpx.MockTransport(answer)
        )
        await s.press("x")
        seen["status"] = s.status
        await s.press("j")  # still answering keys
        seen["moved"] = s.highlighted_id()

    drive(scenario)
    assert seen["status"].startswith(said), seen["status"]  # first: the line is cut at the edge
    assert seen["moved"] != seen["id"]
    assert seen["id"] in ids(cli)  # nothing was changed


def test_undo_of_a_task_someone_else_changed_since_is_reported_as_the_cli_does(cli):
    seen: dict[str, Any] = {}

    async def scenario(s: Screen) -> None:
        seen["id"] = s.highlighted_id()
        await s.press("s")
        await s.type("mon")
        await s.press("enter")
        with plain_http() as close:  # a colleague moves it again in Close
            assert close.put(f"task/{seen['id']}/", json={"date": "2026-12-03"}).status_code == 200
        await s.press("u")
        seen["status"] = s.status

    drive(scenario)
    assert "Left alone 1 task changed since `snooze" in seen["status"], seen["status"]
    assert "nothing to undo" in seen["status"]
    task = next(t for t in listing(cli, "future") if t["id"] == seen["id"])
    assert task["date"][:10] == "2026-12-03"  # the colleague's change stands


def test_off_a_terminal_triage_refuses_and_names_inbox(cli):
    result = cli("--sandbox", "triage")
    assert result.exit_code == 2
    assert "closetask inbox" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_list_refreshes_by_itself_keeping_the_highlight_and_the_marks(cli):
    async def scenario(s: Screen) -> None:
        assert s.app.refresh_every == 60  # the profile's `refresh`, default 60
        await s.press("space")  # marks the first task, moves to the second
        marked, kept = s.listed()[0], s.highlighted_id()
        done_elsewhere = s.listed()[2]
        assert cli("--sandbox", "done", done_elsewhere).exit_code == 0
        s.app.refresh_by_itself()  # what the timer calls (no test waits for a clock)
        await s.settle()
        assert done_elsewhere not in s.listed()
        assert s.highlighted_id() == kept
        assert s.app.marked == {marked}

    drive(scenario)


def test_refresh_setting_0_turns_it_off_and_a_bad_value_is_refused(cli):
    assert cli("--sandbox", "config", "set", "refresh", "-5").exit_code == 2
    assert cli("--sandbox", "config", "set", "refresh", "0").exit_code == 0

    async def scenario(s: Screen) -> None:
        assert s.app.refresh_every == 0

    drive(scenario)


def test_works_at_80x24(cli):
    first = ids(cli)[0]

    async def scenario(s: Screen) -> None:
        assert s.highlighted_id() == first
        drawn = "".join(re.findall(r"<text[^>]*>([^<]*)</text>", s.app.export_screenshot()))
        assert "Quit" in drawn  # the footer's last key is not cut off
        await s.press("x")
        assert first not in s.listed()
        assert "Completed 1 task" in s.status

    drive(scenario, size=(80, 24))


def test_the_readme_screenshot_is_current():
    """docs/triage.svg is what the screen draws now (its text, not the SVG template's bytes)."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location(
        "make_triage_screenshot", root / "scripts" / "make_triage_screenshot.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def shown(svg: str) -> list[str]:
        return re.findall(r"<text[^>]*>([^<]*)</text>", svg)

    fresh = shown(module.render())
    assert any("marked" in t for t in fresh)  # the status line: the screen was really drawn
    assert fresh == shown((root / "docs" / "triage.svg").read_text(encoding="utf-8")), (
        "docs/triage.svg is stale: run python scripts/make_triage_screenshot.py"
    )
    assert "![closetask --sandbox triage](docs/triage.svg)" in (root / "README.md").read_text(encoding="utf-8")


def test_created_order_is_one_flat_list_with_each_tasks_due_day(cli):
    expected = json.loads(cli("--sandbox", "inbox", "--order", "created", "--json").stdout)
    seen: dict[str, Any] = {}

    async def scenario(s: Screen) -> None:
        seen["listed"], seen["headings"] = s.listed(), s.headings()
        seen["first"] = s.app.tasks_list.get_option(s.listed()[0]).prompt.plain

    drive(scenario, order="created")
    assert seen["listed"] == [t["id"] for t in expected]
    assert seen["headings"] == []  # no day headings: the order is by creation
    assert re.search(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ (Nov|Dec)", seen["first"])  # the due day, as the table


def test_q_while_a_change_is_on_its_way_asks_for_a_second_q(cli):
    import threading

    gate, started = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    async def scenario(s: Screen) -> None:
        def slow_close(ids, value):  # Close taking its time (a 429's waits)
            started.set()
            gate.wait(30)

        s.app.backend.set_complete = slow_close
        await s.pilot.press("x")
        await asyncio.to_thread(started.wait, 30)  # the change is in flight
        await s.pilot.press("q")
        seen["status"], seen["running"] = s.status, s.app.is_running
        await s.pilot.press("q")
        gate.set()

    app = drive(scenario)
    assert "q again leaves now" in seen["status"]
    assert seen["running"]  # the first q did not leave
    assert app.return_value == 0


def test_e_on_a_task_close_made_says_only_lead_tasks_have_text(cli):
    tasks = listing(cli)
    position = next(n for n, t in enumerate(tasks) if t["_type"] == "email_followup")

    async def scenario(s: Screen) -> None:
        await s.press("g", *["j"] * position)
        await s.press("e")
        assert s.status.startswith("only lead tasks have text that can be changed; this is an email_followup task")
        assert not s.app.query_one("#prompt").has_class("asking")  # nothing asked, nothing changed

    drive(scenario)
    assert listing(cli) == tasks
