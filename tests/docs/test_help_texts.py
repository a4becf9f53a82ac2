"""Help a newcomer can trust: every command and option explained, every command with an
example and a place in README.md, and the help topics naming every exit code and every
environment variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _tree():
    """(full path, click command) for the root and every command and sub-command."""
    from closetask.cli import command_tree

    root = command_tree()
    found = [("", root)]

    def walk(prefix: str, group) -> None:
        for name, command in sorted(group.commands.items()):
            path = f"{prefix} {name}".strip()
            found.append((path, command))
            if hasattr(command, "commands"):
                walk(path, command)

    walk("", root)
    return found


COMMANDS = _tree()
IDS = [path or "closetask" for path, _ in COMMANDS]


def test_the_tree_has_every_command_the_issues_name() -> None:
    paths = {path for path, _ in COMMANDS}
    expected = {
        "inbox",
        "future",
        "archive",
        "add",
        "done",
        "reopen",
        "reassign",
        "edit",
        "snooze",
        "show",
        "delete",
        "undo",
        "bulk",
        "whoami",
        "help",
        "config",
        "config init",
        "config show",
        "config path",
        "config set",
        "config profiles",
        "config use",
        "sandbox",
        "sandbox serve",
        "sandbox reset",
    }
    assert expected <= paths, sorted(expected - paths)


@pytest.mark.parametrize("path,command", COMMANDS, ids=IDS)
def test_command_has_help_ending_with_an_example(path: str, command) -> None:
    text = (command.help or "").strip()
    assert text, f"`closetask {path}` has no help text"
    first = text.splitlines()[0]
    assert first[:1].isupper() and len(first) <= 100, f"`closetask {path}`: first help line {first!r}"
    last = text.splitlines()[-1].strip()
    assert last.startswith("Example: closetask"), (
        f"`closetask {path}`: help must end with 'Example: closetask ...', ends {last!r}"
    )
    # The example runs the command it documents.
    assert f"closetask {path}".strip() in last or (
        path and re.search(rf"closetask( -\S+( \S+)?)* {re.escape(path)}\b", last)
    ), last


@pytest.mark.parametrize("path,command", COMMANDS, ids=IDS)
def test_every_option_and_argument_has_help(path: str, command) -> None:
    missing = [
        param.name
        for param in command.params
        if param.name != "help" and not (getattr(param, "help", None) or "").strip()
    ]
    assert missing == [], f"`closetask {path}`: no help for {missing}"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS if p], ids=[p for p, _ in COMMANDS if p])
def test_every_command_appears_in_readme(path: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"closetask(?: -{{1,2}}\S+(?: \S+)?)* {re.escape(path)}\b", text), (
        f"README.md never shows `closetask {path}`"
    )


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS if p], ids=[p for p, _ in COMMANDS if p])
def test_help_runs_for_every_command(cli, path: str) -> None:
    result = cli(*path.split(), "--help")
    assert result.exit_code == 0, result.stderr
    assert "Example: closetask" in result.stdout
    assert "Traceback" not in result.output
    if " ".join(result.stdout.split()).find("Commands:") == -1:  # a command, not a group
        # The global options work after the command too; its help says so.
        assert "Global options, before or after the command: --sandbox, --profile/-p NAME, --debug." in " ".join(
            result.stdout.split()
        )


def test_help_exit_codes_lists_every_exit_code(cli) -> None:
    from closetask.exitcodes import DESCRIPTIONS, ExitCode

    result = cli("help", "exit-codes")
    assert result.exit_code == 0
    listed = {int(line.split()[0]) for line in result.stdout.splitlines() if line.strip()}
    assert listed == {int(code) for code in ExitCode}
    for code in ExitCode:
        assert DESCRIPTIONS[code] in result.stdout


def _env_vars_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "closetask").rglob("*.py"):
        names |= set(re.findall(r"\b(CLOSETASK_[A-Z_]*[A-Z]|CLOSE_API_KEY)\b", path.read_text(encoding="utf-8")))
    return names


def test_help_environment_names_every_variable_the_code_reads(cli) -> None:
    names = _env_vars_read_by_the_code()
    assert {"CLOSE_API_KEY", "CLOSETASK_HOME", "CLOSETASK_TZ", "CLOSETASK_NOW"} <= names  # the grep works
    result = cli("help", "environment")
    assert result.exit_code == 0
    documented = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert names - documented == set()
    assert "flag > environment > profile > default" in result.stdout


def test_readme_documents_every_environment_variable() -> None:
    text = README.read_text(encoding="utf-8")
    assert sorted(n for n in _env_vars_read_by_the_code() if n not in text) == []


def test_help_dates_shows_the_when_grammar_and_every_example_parses(cli) -> None:
    import re
    from datetime import datetime, timezone

    from closetask.core.timezone import TimeZone
    from closetask.core.when import parse_when

    result = cli("help", "dates")
    assert result.exit_code == 0
    examples = []
    for line in result.stdout.splitlines():
        if line.startswith("  "):  # "  form, form   meaning": the forms are before the gap
            forms = re.split(r"\s{2,}", line.strip())[0]
            examples += [f.strip().strip("'") for f in forms.split(", ")]
    assert {"next fri", "next week", "in 3 days", "dec 4", "4 dec", "+2h", "eod", "-2w"} <= set(examples)
    now = datetime(2026, 11, 28, 10, tzinfo=timezone.utc)
    for example in examples:
        parse_when(example, now=now, tz=TimeZone.parse("-2.5"))  # raises if the help promises too much


def test_unknown_help_topic_is_a_usage_error(cli) -> None:
    result = cli("help", "colours")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown help topic 'colours'")


def test_help_alone_lists_the_topics_and_help_command_is_its_help(cli) -> None:
    listed = cli("help")
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:4]] == ["exit-codes", "environment", "dates"]
    for words in (["snooze"], ["config", "set"], ["sandbox", "serve"]):
        via_help, direct = cli("help", *words), cli(*words, "--help")
        assert via_help.exit_code == 0 and via_help.stdout.strip() == direct.stdout.strip(), words
    assert cli("help", "config", "nope").exit_code == 2
    assert "closetask help" in cli("--help").stdout  # the root help names the topics


def test_readme_exit_code_table_says_what_help_exit_codes_says() -> None:
    from closetask.exitcodes import DESCRIPTIONS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", section, flags=re.M))
    assert {int(code): text for code, text in rows.items()} == {int(c): d for c, d in DESCRIPTIONS.items()}
