"""The lazily built command tree (cli/lazy_group.py) is Typer's tree, built on demand:
same names in the same order, same help for every command, and a run builds only the
commands it goes through."""

from __future__ import annotations

import pytest
import typer
from typer.main import get_command

from closetask.cli import app
from closetask.cli.lazy_group import build


def _helps(command, ctx_name: str, parent=None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    """Every command's --help text, by path, walking the groups."""
    ctx = command.make_context(ctx_name, [], parent=parent, resilient_parsing=True)
    found = {prefix: command.get_help(ctx)}
    commands = getattr(command, "commands", None)
    if commands is not None:
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            found.update(_helps(sub, name, ctx, (*prefix, name)))
    return found


def test_same_commands_and_help_as_typers_eager_tree(home, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    eager, lazy = get_command(app), build(app)
    eager_helps, lazy_helps = _helps(eager, "closetask"), _helps(lazy, "closetask")
    assert list(lazy_helps) == list(eager_helps)
    for path, text in eager_helps.items():
        assert lazy_helps[path] == text, path
    assert len(eager_helps) > 20


def test_root_help_lists_commands_without_building_them(home, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    eager, lazy = get_command(app), build(app)
    ctx = lazy.make_context("closetask", [], resilient_parsing=True)
    assert lazy.get_help(ctx) == eager.get_help(eager.make_context("closetask", [], resilient_parsing=True))
    assert lazy.commands.built() == []


@pytest.mark.parametrize(
    "args, built",
    [(["--version"], []), (["--help"], []), (["config", "path"], ["config"]), (["help", "dates"], ["help"])],
)
def test_a_run_builds_only_the_commands_it_uses(home, capsys, args, built):
    root = build(app)
    try:
        code = root.main(args=args, prog_name="closetask", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    assert code in (0, None)
    assert root.commands.built() == built
    if built == ["config"]:
        assert root.commands["config"].commands.built() == ["path"]
    assert capsys.readouterr().out


def test_unknown_command_still_suggests_the_close_match(cli):
    result = cli("inbx")
    assert result.exit_code == 2
    assert "Did you mean 'inbox'?" in result.stderr


from sandboxproc import IMPORT_PROBE as PROBE  # noqa: E402


@pytest.mark.parametrize("args", [["config", "path"], ["help", "exit-codes"], ["inbox", "--help"], ["bulk", "--help"]])
def test_commands_that_need_no_network_import_nothing_heavy(args, tmp_path):
    """What `--help` and `--version` promise (test_exit_codes.py), for the commands a shell
    prompt or a completion script runs: no HTTP, no Rich, no SQLite, no pydantic."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CLOSETASK_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "EXIT=0" in proc.stderr.splitlines(), proc.stderr  # the command itself succeeded
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES=")]
    loaded = set(line.removeprefix("MODULES=").split(","))
    for module in ("httpx", "rich", "sqlite3", "pydantic", "closetask.close.http", "closetask.sandbox"):
        assert module not in loaded, f"closetask {' '.join(args)} imported {module}"
