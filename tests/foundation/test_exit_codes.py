"""One test per exit code through the CLI, the --debug log, and what `--help` imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from closetask import __version__
from closetask.exitcodes import ExitCode

from fakeclose import ME, basic, respond

KEY = "api_TestKey1234567890.abcdefSECRET"


def clean(result) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def test_exit_codes_are_the_documented_ones():
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "ERROR": 1,
        "USAGE": 2,
        "PARTLY_DONE": 3,
        "CONFIG": 4,
        "NETWORK": 5,
        "INTERRUPTED": 130,
    }


def test_0_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"closetask {__version__}\n"
    clean(result)


def test_0_help(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("config", "whoami"):
        assert command in result.stdout
    for option in ("--profile", "--sandbox", "--debug", "--version"):
        assert option in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--nonsense",),
        ("whoami", "--bogus"),
        ("config", "show", "--bogus"),
        ("no-such-command",),
        ("config", "set", "timezone"),
    ],
    ids=["global-option", "command-option", "subcommand-option", "command", "missing-argument"],
)
def test_2_bad_usage(cli, fake_cli, args):
    result = cli(*args)
    assert result.exit_code == 2
    assert fake_cli.requests == []
    # closetask's own form, not click's four lines: one error and the help to read.
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: ") and hint.startswith("hint: closetask") and hint.endswith(" --help")
    clean(result)


def test_a_usage_error_names_the_command_whose_help_to_read(cli):
    result = cli("inbox", "--bogus")
    assert result.stderr == "error: No such option: --bogus\nhint: closetask inbox --help\n"


def test_2_bad_value_sends_nothing(cli, fake_cli, home):
    result = cli("config", "init", "--api-key-stdin", "--timezone", "Mars/Olympus", input=KEY)
    assert result.exit_code == 2
    assert "error: invalid --timezone" in result.stderr
    assert "Mars/Olympus" in result.stderr
    assert fake_cli.requests == []
    assert not (home / "config.toml").exists()
    clean(result)


def test_4_no_key(cli, fake_cli):
    result = cli("whoami")
    assert result.exit_code == 4
    assert result.stderr.startswith("error: no API key")
    for needle in ("closetask config init", "CLOSE_API_KEY", "--sandbox"):
        assert needle in result.stderr
    clean(result)


def test_5_network_closed_port(cli, no_sleep):
    result = cli("whoami", env={"CLOSE_API_KEY": KEY, "CLOSETASK_BASE_URL": "http://127.0.0.1:9/api/v1/"})
    assert result.exit_code == 5
    assert result.stderr.splitlines()[-1].startswith("error: could not connect to 127.0.0.1")
    # Retried with growing waits before giving up (recorded, not slept).
    assert len(no_sleep.sleeps) == 4
    for n, wait in enumerate(no_sleep.sleeps):
        assert 0.25 * 2**n <= wait <= 0.75 * 2**n
    assert KEY not in result.output
    clean(result)


def test_5_rate_limit_not_cleared(cli, fake_cli):
    fake_cli.on("GET", "me/", respond(429, headers={"Retry-After": "3"}))
    result = cli("whoami", env={"CLOSE_API_KEY": KEY})
    assert result.exit_code == 5
    assert fake_cli.sleeps == [3.0] * 4
    # Each wait of more than a second is announced on stderr.
    assert result.stderr.count("rate limited by Close; waiting 3.0 s") == 4
    assert "error: Close answered 429" in result.stderr
    assert result.stdout == ""
    clean(result)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            respond(404, {"error": "Empty query: User matching query does not exist."}),
            "error: Close answered 404: Empty query: User matching query does not exist.",
        ),
        (
            respond(500, content=b"<html><body>Oops</body></html>"),
            "error: Close answered 500: an HTML page (a proxy?) instead of Close's JSON",
        ),
        (
            respond(400, {"errors": [], "field-errors": {"date": "Invalid date."}}),
            "error: Close answered 400: date: Invalid date.",
        ),
    ],
    ids=["404", "500-html", "400"],
)
def test_1_api_error(cli, fake_cli, answer, message):
    fake_cli.on("GET", "me/", answer)
    result = cli("whoami", env={"CLOSE_API_KEY": KEY})
    assert result.exit_code == 1
    assert message in result.stderr.splitlines()
    assert result.stdout == ""
    clean(result)


def test_1_unexpected_error_without_traceback(cli, fake_cli):
    fake_cli.on("GET", "me/", RuntimeError("something odd"))
    result = cli("whoami", env={"CLOSE_API_KEY": KEY})
    assert result.exit_code == 1
    assert "error: unexpected error: RuntimeError: something odd" in result.stderr
    assert "--debug" in result.stderr
    clean(result)


def test_debug_shows_the_traceback_of_an_unexpected_error(cli, fake_cli):
    fake_cli.on("GET", "me/", RuntimeError("something odd"))
    with pytest.raises(RuntimeError):
        cli("--debug", "whoami", env={"CLOSE_API_KEY": KEY})


def test_130_interrupted(cli, fake_cli):
    fake_cli.on("GET", "me/", KeyboardInterrupt())
    result = cli("whoami", env={"CLOSE_API_KEY": KEY})
    assert result.exit_code == 130
    assert result.stdout == ""
    clean(result)


def test_debug_logs_requests_never_the_key(cli, fake_cli, home):
    fake_cli.on("GET", "me/", respond(503), respond(200, ME))
    result = cli("--debug", "whoami", "--json", env={"CLOSE_API_KEY": KEY})
    assert result.exit_code == 0, result.stderr
    debug = [line for line in result.stderr.splitlines() if line.startswith("debug: ")]
    assert len(debug) == 2
    assert debug[0].startswith("debug: GET https://api.close.com/api/v1/me/ -> 503 in ")
    assert debug[1].startswith("debug: GET https://api.close.com/api/v1/me/ -> 200 in ")
    assert debug[1].endswith("ms (attempt 2)")
    assert json.loads(result.stdout)["user_id"] == ME["id"]
    everything = result.output + "".join((p.read_text(errors="replace") for p in home.rglob("*") if p.is_file()))
    for secret in (KEY, basic(KEY).split()[1], KEY[-8:]):
        assert secret not in everything


# --- start-up: --help and --version stay light ---------------------------------------

HEAVY = ("httpx", "rich.table", "sqlite3", "closetask.close.http", "closetask.sandbox")

from sandboxproc import IMPORT_PROBE as PROBE  # noqa: E402


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["config", "--help"], ["whoami", "--help"]])
def test_help_and_version_do_not_import_heavy_modules(args, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CLOSETASK_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "EXIT=0" in proc.stderr.splitlines(), proc.stderr  # the command itself succeeded
    assert proc.stdout  # the help or version text
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES=")]
    loaded = set(line.removeprefix("MODULES=").split(","))
    for module in HEAVY:
        assert module not in loaded, f"{' '.join(args)} imported {module}"


def test_importing_the_cli_is_light(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, closetask.cli; print(','.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CLOSETASK_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    loaded = set(proc.stdout.strip().split(","))
    for module in (*HEAVY, "rich", "tomli_w", "platformdirs"):
        assert module not in loaded, module


@pytest.mark.parametrize("signame, shown", [("SIGTERM", "SIGTERM"), ("SIGINT", "Ctrl-C")])
def test_a_signal_exits_130_with_a_message_and_no_traceback(tmp_path, signame, shown):
    """SIGINT/SIGTERM while waiting on a slow server: exit 130, 'interrupted', no traceback."""
    import signal
    import subprocess
    import time

    from sandboxproc import closetask_argv, start_sandbox, stop_sandbox

    server = start_sandbox(tmp_path, "--latency", "5000")
    try:
        proc = subprocess.Popen(
            [*closetask_argv(), "inbox", "--ids"],
            env=server.env(tmp_path / "client"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Wait until it has started and opened its connection (the server then holds the
        # request for 5 s); where /proc is missing, give it two seconds.
        fds = Path(f"/proc/{proc.pid}/fd")
        deadline = time.monotonic() + (15 if Path("/proc/self/fd").is_dir() else 2)
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if any(os.readlink(fd).startswith("socket:") for fd in fds.iterdir()):
                    break
            except OSError:
                pass  # a descriptor closed while it was read
            time.sleep(0.02)
        time.sleep(0.1)  # from connect() to the request written
        proc.send_signal(getattr(signal, signame))
        out, err = proc.communicate(timeout=20)
    finally:
        stop_sandbox(server)
    assert proc.returncode == 130
    assert f"interrupted ({shown})" in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("config", "set", "timeout", "abc"), {}),
        (("config", "set", "page_size", "0"), {}),
        (("config", "set", "tz_offset", "5.3"), {}),
        (("config", "use", "ghost"), {}),
        (("config", "init", "--profile", "../evil", "--api-key-stdin"), {}),
        (("whoami",), {"CLOSETASK_TZ": "15"}),
        (("whoami",), {"CLOSETASK_PROFILE": "ghost"}),
        (("whoami",), {"CLOSETASK_NOW": "soon"}),
        (("whoami",), {"CLOSETASK_BASE_URL": "http://example.com/api/v1/"}),
    ],
    ids=["timeout", "page_size", "tz_offset", "use", "profile-name", "CLOSETASK_TZ", "CLOSETASK_PROFILE", "NOW", "URL"],
)
def test_2_bad_value_from_the_command_line_or_environment(cli, fake_cli, home, args, env):
    # 4 means a missing or rejected key or a broken file; a bad value typed now is bad input.
    result = cli(*args, env={"CLOSE_API_KEY": KEY, **env}, input=KEY)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) <= 2
    assert fake_cli.requests == []
    assert not (home / "config.toml").exists()


def test_4_a_broken_value_in_the_config_file(cli, fake_cli, home):
    (home / "config.toml").write_text('[profiles.default]\napi_key = "k"\npage_size = 0\n')
    result = cli("whoami")
    assert result.exit_code == 4
    assert "page_size" in result.stderr
