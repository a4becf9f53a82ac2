"""The root group (cli/lazy_group.py) names every command up front and imports a command's
module only when the command runs: the one-line helps of the listing are the docstrings'
first paragraphs, `--help` and `--version` import no command module, and a run loads only
the commands it goes through."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
import typer

from closetask.cli import COMMANDS, app


def test_every_listed_line_is_the_first_paragraph_of_the_commands_docstring():
    root = typer.main.get_command(app)
    ctx = root.make_context("closetask", [], resilient_parsing=True)
    for name, spec in COMMANDS.items():
        command = root.get_command(ctx, name)
        doc = command.help if hasattr(command, "commands") else inspect.getdoc(command.callback)
        assert spec.help == " ".join(doc.split("\n\n")[0].split()), name


@pytest.mark.parametrize(
    "args, loaded",
    [
        (["--version"], []),
        (["--help"], []),
        (["config", "path"], ["config"]),
        (["help", "dates"], ["help"]),
        (["done", "--help"], ["done"]),
    ],
)
def test_a_run_loads_only_the_commands_it_uses(home, capsys, args, loaded):
    root = typer.main.get_command(app)
    try:
        code = root.main(args=args, prog_name="closetask", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    assert code in (0, None)
    assert root.loaded() == loaded
    assert capsys.readouterr().out


def test_help_and_version_import_no_command_module():
    """In a fresh interpreter: the listing is read from COMMANDS, not from the modules."""
    probe = (
        "import sys\n"
        "from closetask.cli import main\n"
        "for args in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "mods = ['views', 'actions', 'undo', 'bulk', 'help_cmd', 'config_cmd', 'sandbox']\n"
        "print(sorted(m for m in mods if 'closetask.cli.' + m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"
