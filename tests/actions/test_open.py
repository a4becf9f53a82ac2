"""`closetask open`: a task's lead page in Close, launched on a terminal, printed otherwise;
`show` prints the same address."""

from __future__ import annotations

import json
import webbrowser


def first_task(cli) -> dict:
    return json.loads(cli("--sandbox", "inbox", "--json").stdout)[0]


def test_print_gives_the_leads_page_in_close(cli, monkeypatch):
    launched: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: launched.append(url) or True)
    task = first_task(cli)
    result = cli("--sandbox", "open", task["id"], "--print", tty=("stdout",))
    assert result.exit_code == 0
    assert result.stdout == f"https://app.close.com/lead/{task['lead_id']}/\n"
    assert launched == []


def test_on_a_terminal_it_opens_the_browser_once_per_lead(cli, monkeypatch):
    launched: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: launched.append(url) or True)
    task = first_task(cli)
    result = cli("--sandbox", "open", task["id"], task["id"], tty=("stdout",))
    assert result.exit_code == 0, result.output
    assert launched == [f"https://app.close.com/lead/{task['lead_id']}/"]
    assert result.stdout == ""


def test_off_a_terminal_it_prints_and_launches_nothing(cli, monkeypatch):
    launched: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: launched.append(url) or True)
    task = first_task(cli)
    result = cli("--sandbox", "open", task["id"])
    assert result.stdout.strip() == f"https://app.close.com/lead/{task['lead_id']}/"
    assert launched == []


def test_no_browser_is_one_line_naming_print(cli, monkeypatch):
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: False)
    result = cli("--sandbox", "open", first_task(cli)["id"], tty=("stdout",))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no browser") and "--print" in result.stderr


def test_show_prints_the_address(cli):
    task = first_task(cli)
    shown = cli("--sandbox", "show", task["id"]).stdout
    assert f"In Close     https://app.close.com/lead/{task['lead_id']}/" in shown
