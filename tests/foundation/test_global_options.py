"""Global options (--profile, --sandbox, --debug) anywhere on the line: one way to name a profile."""

from __future__ import annotations

import pytest

from closetask.cli import hoist_global_options


@pytest.mark.parametrize(
    "args, expected",
    [
        (["inbox"], ["inbox"]),
        (["--profile", "acme", "inbox"], ["--profile", "acme", "inbox"]),
        (["inbox", "--profile", "acme", "--ids"], ["--profile", "acme", "inbox", "--ids"]),
        (["inbox", "-p", "acme"], ["-p", "acme", "inbox"]),
        (["inbox", "--profile=acme"], ["--profile=acme", "inbox"]),
        (
            ["config", "init", "--profile", "acme", "--api-key-stdin"],
            ["--profile", "acme", "config", "init", "--api-key-stdin"],
        ),
        (["--debug", "-p", "acme", "done", "3", "--sandbox"], ["--debug", "-p", "acme", "--sandbox", "done", "3"]),
        # after --, everything is an argument
        (["add", "--lead", "lead_x", "--", "--debug"], ["add", "--lead", "lead_x", "--", "--debug"]),
        # a trailing --profile without a value is left for click to refuse
        (["inbox", "--profile"], ["inbox", "--profile"]),
        (["inbox", "--help"], ["inbox", "--help"]),
    ],
)
def test_global_options_move_to_the_front(args, expected):
    assert hoist_global_options(args) == expected


def test_sandbox_and_profile_after_the_command_take_effect(cli, home):
    before = cli("--sandbox", "inbox", "--ids")
    after = cli("inbox", "--ids", "--sandbox")
    assert before.exit_code == after.exit_code == 0, after.stderr
    assert after.stdout == before.stdout and after.stdout.strip()
    missing = cli("inbox", "--profile", "nosuch")
    assert missing.exit_code != 0 and "nosuch" in missing.stderr
