"""README.md cannot rot: every `closetask` command in its ```sh blocks runs, in README order,
and exits as documented.

How the README is run:
- Each line that invokes `closetask` runs in bash (`set -o pipefail`) on a pseudo-terminal, as a
  person would type it: tables on stdout, prompts answered "y". Pipes inside a line are real
  pipes, so `closetask inbox --ids | closetask done -` is machine output into stdin.
- Fresh CLOSETASK_HOME and HOME, CLOSETASK_NOW fixed at Saturday 28 Nov 2026 10:00 UTC,
  CLOSETASK_TZ=UTC. A `closetask sandbox serve` (default demo data) stands in for Close:
  CLOSETASK_BASE_URL points at it and `acme-key.txt` in the working directory holds its key, so
  the README's `config init --profile acme --api-key-stdin < acme-key.txt` makes a real profile
  that the following commands use. `--sandbox` lines use the embedded sandbox, as for a user.
- `export NAME=VALUE ...` lines set variables for the following lines.
- A line ending in `&` that runs `closetask sandbox serve` starts in the background on a free
  port; later lines get that port in place of the README's `--port`. `kill %N` lines are
  skipped (the test stops its servers).
- A trailing `# exit N` comment means the line must exit N; `# ... not run in tests` skips it;
  the two set-up lines (`python3 -m venv ...`) are skipped (CI runs the second one itself).
- Every line must finish without a traceback.
"""

from __future__ import annotations

import os
import re
import select
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandboxproc import ENV_TO_CLEAR, FIXED_NOW, closetask_argv, start_sandbox, stop_sandbox

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -q"
LINE_TIMEOUT = 120  # seconds; a line waiting for input would otherwise hang the suite

_CLOSETASK_CALL = re.compile(r"(?:^|[|;&(]\s*|\$\(\s*|^(?:\w+=\S*\s+)+|\bxargs\s+(?:-\S+\s+)*)closetask(?:\s|$)")
_EXIT = re.compile(r"#.*\bexit (\d+)\b")
_SKIP = "not run in tests"
_SETUP = "python3 -m venv"


@dataclass(frozen=True)
class Line:
    number: int  # in README.md
    text: str  # the command, comment removed
    comment: str
    expected: int


def _split_comment(line: str) -> tuple[str, str]:
    """`cmd   # comment` -> (cmd, comment); a `#` inside quotes is not a comment."""
    in_single = in_double = False
    for i, ch in enumerate(line):
        if ch == "'" and not in_double:
            in_single = not in_single
        elif ch == '"' and not in_single:
            in_double = not in_double
        elif ch == "#" and not in_single and not in_double and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def sh_lines(text: str) -> list[Line]:
    """The non-empty, non-comment lines of every ```sh block, with their README line numbers."""
    lines: list[Line] = []
    in_sh = False
    pending = ""
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_sh = not in_sh and stripped == "```sh"
            continue
        if not in_sh or not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        command, comment = _split_comment(pending + stripped)
        pending = ""
        match = _EXIT.search("#" + comment) if comment else None
        lines.append(Line(number, command, comment, int(match.group(1)) if match else 0))
    return lines


def runnable(lines: list[Line]) -> list[Line]:
    return [
        line
        for line in lines
        if _SETUP not in line.text
        and _SKIP not in line.comment
        and (
            _CLOSETASK_CALL.search(line.text)
            or line.text.startswith("export ")
            or re.fullmatch(r"kill %\d+", line.text)
        )
    ]


# --- static checks ----------------------------------------------------------------------


def test_readme_test_command_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    ci_lines = [ln.strip() for ln in ci.splitlines() if ln.strip().startswith(_SETUP)]
    assert ci_lines == [TEST_COMMAND]
    assert TEST_COMMAND in [line.text for line in sh_lines(README.read_text(encoding="utf-8"))]


def test_readme_first_screen_has_the_picture_and_the_set_up_commands() -> None:
    head = README.read_text(encoding="utf-8").splitlines()[:25]
    assert head[0] == "# closetask"
    assert "![closetask --sandbox inbox](docs/inbox.svg)" in head
    assert TEST_COMMAND in head
    assert "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/closetask --sandbox inbox" in head
    assert (ROOT / "docs" / "inbox.svg").exists()


def test_the_extractor_sees_the_commands_it_should() -> None:
    lines = runnable(sh_lines(README.read_text(encoding="utf-8")))
    texts = [line.text for line in lines]
    assert len(texts) >= 40
    assert texts.index("closetask inbox") < texts.index("closetask done 2 5")
    assert any(line.expected == 3 for line in lines)  # the partial bulk is checked, not skipped
    assert not any(
        "config init" == t.strip() or t.endswith("config init") for t in texts
    )  # the prompting one is skipped


def test_the_screenshot_is_current(tmp_path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_screenshot", ROOT / "scripts" / "make_screenshot.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)

    # The picture's text, not its bytes: a new Rich release may restyle the SVG template, which
    # is no reason to fail; a changed table or demo data is.
    def shown(svg: str) -> list[str]:
        return re.findall(r"<text[^>]*>([^<]*)</text>", svg)

    fresh = shown(module.render())
    assert any("overdue" in t for t in fresh)  # the footer: the table was really drawn
    assert fresh == shown((ROOT / "docs" / "inbox.svg").read_text(encoding="utf-8")), (
        "docs/inbox.svg is stale: run python scripts/make_screenshot.py"
    )


# --- running them -----------------------------------------------------------------------


def _run_on_pty(command: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run `command` in bash with stdin, stdout and stderr on a 100x50 pseudo-terminal, answer
    "y" to a prompt, and return (exit code, everything printed)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 100, 0, 0))
    proc = subprocess.Popen(
        ["bash", "-c", f"set -o pipefail\n{command}"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        close_fds=True,
    )
    os.close(slave)
    os.write(master, b"y\n")  # typed ahead, read by a confirmation prompt if there is one
    chunks: list[bytes] = []
    deadline = time.monotonic() + LINE_TIMEOUT
    try:
        while True:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"`{command}` did not finish: {b''.join(chunks).decode(errors='replace')[-2000:]}")
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every process holding the terminal has gone
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                # Drain what is left; background children may keep the terminal open.
                while select.select([master], [], [], 0.1)[0]:
                    try:
                        data = os.read(master, 65536)
                    except OSError:
                        data = b""
                    if not data:
                        break
                    chunks.append(data)
                break
    finally:
        os.close(master)
    return proc.wait(), b"".join(chunks).decode("utf-8", errors="replace")


class Shell:
    """The little shell state the README relies on: exported variables and background servers."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.ports: dict[str, str] = {}  # README port -> real port
        self.servers: list[subprocess.Popen] = []

    def substitute(self, text: str) -> str:
        for readme_port, port in self.ports.items():
            text = text.replace(f"127.0.0.1:{readme_port}", f"127.0.0.1:{port}")
        return text

    def export(self, text: str) -> None:
        for word in shlex.split(text)[1:]:
            name, _, value = word.partition("=")
            self.env[name] = os.path.expandvars(self.substitute(value).replace("$PWD", str(self.cwd)))

    def serve(self, text: str) -> None:
        words = shlex.split(text.rstrip("&").strip())
        assert words[:3] == ["closetask", "sandbox", "serve"], text
        readme_port = words[words.index("--port") + 1]
        words[words.index("--port") + 1] = "0"
        proc = subprocess.Popen(
            [*closetask_argv(), *words[1:]],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.servers.append(proc)
        base_url = ""
        while not base_url:
            line = proc.stdout.readline()
            if not line:
                pytest.fail(f"`{text}` did not start: {proc.stderr.read()}")
            if line.startswith("base_url="):
                base_url = line.strip().partition("=")[2]
        self.ports[readme_port] = base_url.split("127.0.0.1:")[1].split("/")[0]

    def stop(self) -> None:
        for proc in self.servers:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.e2e
def test_every_readme_command_runs_as_documented(tmp_path) -> None:
    lines = runnable(sh_lines(README.read_text(encoding="utf-8")))
    server = start_sandbox(tmp_path / "close")
    work = tmp_path / "work"
    work.mkdir()
    (work / "acme-key.txt").write_text(server.api_key + "\n")
    (tmp_path / "user").mkdir()
    bin_dir = str(Path(closetask_argv()[0]).parent) if len(closetask_argv()) == 1 else ""
    env = {k: v for k, v in os.environ.items() if k not in ENV_TO_CLEAR}
    env.update(
        PATH=os.pathsep.join(p for p in (bin_dir, env.get("PATH", "")) if p),
        HOME=str(tmp_path / "user"),
        CLOSETASK_HOME=str(tmp_path / "home"),
        CLOSETASK_NOW=FIXED_NOW,
        CLOSETASK_TZ="UTC",
        # Each line gets its own pty here, but the README is read as typed at one terminal.
        CLOSETASK_TTY="/dev/pts/readme",
        CLOSETASK_BASE_URL=server.base_url,
        COLUMNS="100",
        TERM="xterm-256color",
    )
    shell = Shell(env, work)
    failures: list[str] = []
    try:
        for line in lines:
            if line.text.startswith("export "):
                shell.export(line.text)
                continue
            if re.fullmatch(r"kill %\d+", line.text):
                continue
            if line.text.endswith("&"):
                shell.serve(line.text)
                continue
            code, output = _run_on_pty(shell.substitute(line.text), shell.env, work)
            if code != line.expected or "Traceback" in output:
                failures.append(
                    f"README.md:{line.number}: `{line.text}` exited {code}, expected {line.expected}\n"
                    + "\n".join(output.replace("\r", "").splitlines()[-15:])
                )
    finally:
        shell.stop()
        stop_sandbox(server)
    assert not failures, "\n\n".join(failures)
