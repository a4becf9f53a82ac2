"""Shell completion: the committed scripts are current, values complete in bash, zsh and fish,
completing stays local and light, and `--install-completion` / `--show-completion` still work.

Completion is exercised the way shells do it: the installed `closetask` run with Typer's
`_CLOSETASK_COMPLETE` protocol variables, in a fresh CLOSETASK_HOME.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandboxproc import ENV_TO_CLEAR, FIXED_NOW, closetask_argv

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_completions", ROOT / "scripts" / "gen_completions.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A clean environment: fresh CLOSETASK_HOME and HOME, no key, a base URL nothing listens on."""
    base = {k: v for k, v in os.environ.items() if k not in ENV_TO_CLEAR and not k.startswith("_CLOSETASK")}
    home = tmp_path / "ct-home"
    home.mkdir()
    base.update(
        CLOSETASK_HOME=str(home),
        HOME=str(tmp_path),
        CLOSETASK_NOW=FIXED_NOW,
        CLOSETASK_TZ="UTC",
        # Were completion to build a client, it would try here and fail loudly, not reach Close.
        CLOSETASK_BASE_URL="http://127.0.0.1:9/api/v1/",
    )
    return base


def _complete(env: dict[str, str], shell: str, line: str) -> list[str]:
    """What `closetask` offers for `line` (the words typed so far; a trailing space means a new
    word) in `shell`, as a list of candidate values."""
    extra = {"_CLOSETASK_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        words = line.split()
        cword = len(words) if line.endswith(" ") else len(words) - 1
        extra.update(COMP_WORDS=line, COMP_CWORD=str(cword))
    else:
        extra["_TYPER_COMPLETE_ARGS"] = line
        if shell == "fish":
            extra["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    proc = subprocess.run(closetask_argv(), env={**env, **extra}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return _values(shell, proc.stdout)


def _values(shell: str, out: str) -> list[str]:
    if shell == "zsh":
        # _arguments '*: :(("value":"help" "value2"))'  or  '*: :(("value"))'
        import re

        return re.findall(r'"((?:[^"\\]|\\.)*)"(?::"(?:[^"\\]|\\.)*")?', out.partition("((")[2])
    # bash: one value per line; fish: "value<TAB>help" per line.
    return [line.split("\t")[0] for line in out.splitlines() if line.strip()]


# --- the committed files ---------------------------------------------------------------


def test_committed_completion_files_are_current() -> None:
    gen = _generator()
    for shell, name in gen.FILES.items():
        path = ROOT / "completions" / name
        assert path.exists(), f"{path} is missing: run python scripts/gen_completions.py"
        assert path.read_text() == gen.render(shell), f"{path} is stale: run python scripts/gen_completions.py"
    assert gen.main(["--check"]) == 0


def test_zsh_file_starts_with_compdef_for_the_autoloader() -> None:
    assert (ROOT / "completions" / "_closetask").read_text().splitlines()[0] == "#compdef closetask"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_file_calls_back_into_closetask(shell: str) -> None:
    gen = _generator()
    text = (ROOT / "completions" / gen.FILES[shell]).read_text()
    assert f"_CLOSETASK_COMPLETE=complete_{shell}" in text


# --- values complete -------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_task_types_complete(env, shell: str) -> None:
    assert _complete(env, shell, "closetask inbox --type em") == ["email_followup"]
    assert _complete(env, shell, "closetask bulk --type inc") == ["incoming_email", "incoming_sms"]


def test_comma_separated_types_complete_the_last_item(env) -> None:
    assert _complete(env, "bash", "closetask inbox --type missed_call,vo") == ["missed_call,voicemail"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_profile_names_come_from_the_config_file(env, shell: str) -> None:
    config = Path(env["CLOSETASK_HOME"]) / "config.toml"
    config.write_text(
        'default_profile = "acme"\n[profiles.acme]\napi_key = "api_x"\n[profiles.globex]\napi_key = "api_y"\n'
        '[profiles.initech]\napi_key = "api_z"\n'
    )
    assert _complete(env, shell, "closetask --profile ") == ["acme", "globex", "initech"]
    assert _complete(env, shell, "closetask -p gl") == ["globex"]
    assert _complete(env, shell, "closetask config use i") == ["initech"]


def test_profile_completion_with_no_config_offers_nothing(env) -> None:
    assert _complete(env, "bash", "closetask --profile ") == []


def test_profile_completion_with_a_broken_config_offers_nothing(env) -> None:
    (Path(env["CLOSETASK_HOME"]) / "config.toml").write_text("this is [not toml\n")
    assert _complete(env, "bash", "closetask --profile ") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_assignee_order_and_sandbox_subcommands_complete(env, shell: str) -> None:
    assert _complete(env, shell, "closetask inbox --assignee ") == ["me", "all"]
    # (A word starting with "-" completes option names, click's rule, so "-date" is offered
    # only among all four values.)
    assert _complete(env, shell, "closetask archive --order cr") == ["created"]
    assert _complete(env, shell, "closetask future --order ") == ["date", "-date", "created", "-created"]
    assert _complete(env, shell, "closetask sandbox ") == ["serve", "reset"]


def test_commands_and_help_topics_complete(env) -> None:
    assert _complete(env, "bash", "closetask re") == ["reopen", "reassign", "report"]
    # the topics first, then the commands (closetask help COMMAND prints its --help)
    topics_then_commands = _complete(env, "bash", "closetask help ")
    assert topics_then_commands[:4] == ["exit-codes", "environment", "dates", "whoami"]
    assert "snooze" in topics_then_commands and "config" in topics_then_commands
    assert _complete(env, "bash", "closetask config set time") == ["timezone", "timeout"]


# --- completing is local and light -----------------------------------------------------

_PROBE = """
import atexit, json, os, socket, sys

attempts = []
def refuse(self, address, *args, **kwargs):
    attempts.append(repr(address))
    raise OSError("network use during completion")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse

def report():
    with open(os.environ["PROBE_OUT"], "w") as fh:
        json.dump({"modules": sorted(sys.modules), "connects": attempts}, fh)
atexit.register(report)

from closetask.cli import main
main()
"""
_HEAVY = (
    "httpx",
    "sqlite3",
    "_sqlite3",
    "rich.console",
    "rich.table",
    "closetask.close.http",
    "closetask.sandbox",
    "closetask.session",
)


@pytest.mark.parametrize(
    "line",
    [
        "closetask --profile ",
        "closetask inbox --type em",
        "closetask inbox --assignee ",
        "closetask bulk --order ",
        "closetask sandbox ",
        "closetask ",
        "closetask done ",
    ],
)
def test_completion_imports_nothing_heavy_and_never_connects(env, tmp_path, line: str) -> None:
    (Path(env["CLOSETASK_HOME"]) / "config.toml").write_text('[profiles.acme]\napi_key = "api_x"\n')
    out = tmp_path / "probe.json"
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    probe_env = {
        **env,
        "_CLOSETASK_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(cword),
        "PROBE_OUT": str(out),
    }
    proc = subprocess.run([sys.executable, "-c", _PROBE], env=probe_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["connects"] == []
    heavy = [m for m in report["modules"] if any(m == h or m.startswith(h + ".") for h in _HEAVY)]
    assert heavy == []


# --- --show-completion and --install-completion ----------------------------------------


def _under_bash(env: dict[str, str], args: str) -> subprocess.CompletedProcess[str]:
    # Typer detects the shell from the parent process (shellingham); `; true` keeps bash from
    # exec'ing closetask away, so bash stays the parent.
    return subprocess.run(
        ["bash", "-c", f"{' '.join(closetask_argv())} {args}; true"],
        env={**env, "SHELL": "/bin/bash"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_show_completion_prints_the_committed_script(env) -> None:
    proc = _under_bash(env, "--show-completion")
    assert "Traceback" not in proc.stderr
    committed = (ROOT / "completions" / "closetask.bash").read_text()
    body = [ln for ln in committed.splitlines() if ln.strip() and not ln.startswith("# Generated")]
    assert [ln for ln in proc.stdout.splitlines() if ln.strip()] == body


def test_install_completion_writes_the_bash_script_under_home(env, tmp_path) -> None:
    proc = _under_bash(env, "--install-completion")
    assert "Traceback" not in proc.stderr
    assert "completion installed" in proc.stdout, proc.stdout + proc.stderr
    script = tmp_path / ".bash_completions" / "closetask.sh"
    assert "_CLOSETASK_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()
