"""Aliases through the real CLI: defined, listed, run with extra words appended and global
options anywhere, shown in the root help and offered to shell completion; shadowing a
command, expanding to something that is not a command, and bad names are refused (exit 2)."""

from __future__ import annotations

import json

import typer

from closetask.cli import app
from closetask.env import Env


def test_an_alias_runs_its_command_line_with_the_words_after_it_appended(cli):
    defined = cli("alias", "set", "calls", "inbox --type missed_call,voicemail")
    assert defined.exit_code == 0, defined.stderr
    assert defined.stderr == "alias defined: closetask calls runs closetask inbox --type missed_call,voicemail\n"
    direct = cli("--sandbox", "inbox", "--type", "missed_call,voicemail", "--json")
    for args in (("--sandbox", "calls", "--json"), ("calls", "--json", "--sandbox"), ("calls", "--sandbox", "--json")):
        via = cli(*args)
        assert via.exit_code == 0, (args, via.stderr)
        assert via.stdout == direct.stdout
    assert {t["_type"] for t in json.loads(direct.stdout)} == {"missed_call", "voicemail"}
    listed = cli("alias", "list")
    assert listed.stdout == "calls\tinbox --type missed_call,voicemail\n"
    assert json.loads(cli("alias", "list", "--json").stdout) == {"calls": "inbox --type missed_call,voicemail"}


def test_quoted_words_survive_and_an_alias_may_not_expand_to_an_alias(cli):
    assert cli("alias", "set", "mine", "inbox --lead 'lead_abc def'").exit_code == 0
    assert cli("alias", "list").stdout == "mine\tinbox --lead 'lead_abc def'\n"
    nested = cli("alias", "set", "mine2", "mine --json")
    assert nested.exit_code == 2
    assert nested.stderr.startswith("error: an alias runs a closetask command, and 'mine' is not one\n")


def test_shadowing_bad_names_and_unknown_deletes_are_refused(cli):
    for args, message in (
        (("set", "inbox", "future"), "error: 'inbox' is a closetask command: an alias may not shadow it\n"),
        (
            ("set", "Calls", "inbox"),
            "error: alias name 'Calls': use lowercase letters, digits, - and _, starting with a letter\n",
        ),
        (("set", "x", "rm -rf /"), "error: an alias runs a closetask command, and 'rm' is not one\n"),
        (("set", "x", "inbox 'open"), 'error: cannot split "inbox \'open": No closing quotation\n'),
        (("delete", "ghost"), "error: no alias named 'ghost' (aliases: none yet)\n"),
    ):
        result = cli("alias", *args)
        assert result.exit_code == 2, args
        assert result.stderr.splitlines()[0] + "\n" == message, args
    assert cli("alias", "list").stdout == ""


def test_root_help_lists_aliases_and_completion_offers_them(cli, home):
    assert cli("alias", "set", "calls", "inbox --type missed_call").exit_code == 0
    helped = cli("--help")
    assert "Aliases (closetask alias list):\n  calls  inbox --type missed_call\n" in helped.stdout
    root = typer.main.get_command(app)
    ctx = root.make_context("closetask", [], resilient_parsing=True, obj=Env(environ={"CLOSETASK_HOME": str(home)}))
    assert "calls" in root.list_commands(ctx)
    assert root.get_command(ctx, "calls").get_short_help_str() == "Alias: closetask inbox --type missed_call"


def test_deleting_an_alias_makes_its_name_unknown_again(cli):
    assert cli("alias", "set", "calls", "inbox").exit_code == 0
    assert cli("alias", "delete", "calls").exit_code == 0
    gone = cli("calls")
    assert gone.exit_code == 2
    assert gone.stderr == "error: No such command 'calls'.\nhint: closetask --help\n"


def test_a_malformed_aliases_table_is_a_broken_config_file(cli, home):
    from closetask import config

    path = config.config_path({"CLOSETASK_HOME": str(home)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("aliases = 5\n")
    result = cli("alias", "list")
    assert result.exit_code == 4
    assert "[aliases] must map names to command lines" in result.stderr
    assert cli("--sandbox", "inbox", "--ids").exit_code == 0  # commands do not read it
