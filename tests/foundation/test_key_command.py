"""A profile's api_key_command through the CLI: the key comes from a password manager's
output, run once per process without a shell, and never lands on disk or in a message."""

from __future__ import annotations

import shlex
import sys

import pytest

from fakeclose import ME, basic, respond

KEY = "api_FromTheVault1234567.abcdefSECRET"


def command(tmp_path, code: str) -> str:
    """A command line running `code` in Python (the stand-in for `pass show close/acme`); each
    test's own path keeps the per-process memory of keys from mixing tests."""
    script = tmp_path / "vault.py"
    script.write_text(code)
    return shlex.join([sys.executable, str(script)])


def profile_with(home, cmd: str) -> None:
    path = home / "config.toml"
    path.write_text(f'default_profile = "acme"\n\n[profiles.acme]\napi_key_command = {cmd!r}\ntimezone = "UTC"\n')
    path.chmod(0o600)


def test_the_key_is_the_commands_output_run_once_and_never_stored(cli, fake_cli, home, tmp_path):
    runs = tmp_path / "runs"
    profile_with(home, command(tmp_path, f"open({str(runs)!r}, 'a').write('x')\nprint('  {KEY}  ')\n"))
    fake_cli.on("GET", "me/", respond(200, ME))
    for _ in range(2):
        result = cli("whoami", "--json")
        assert result.exit_code == 0, result.stderr
    assert {r.headers["Authorization"] for r in fake_cli.requests} == {basic(KEY)}
    assert runs.read_text() == "x"  # once for this process
    assert KEY not in result.output
    shown = cli("config", "show").stdout
    assert "api_key_command" in shown and KEY not in shown
    for path in home.rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace"), path


def test_close_api_key_wins_and_the_command_is_not_run(cli, fake_cli, home, tmp_path):
    ran = tmp_path / "ran"
    profile_with(home, command(tmp_path, f"open({str(ran)!r}, 'w')\nprint('api_other')\n"))
    fake_cli.on("GET", "me/", respond(200, ME))
    assert cli("whoami", env={"CLOSE_API_KEY": KEY}).exit_code == 0
    assert not ran.exists()


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (f"import sys\nprint('{KEY}')\nprint('{KEY}', file=sys.stderr)\nsys.exit(3)\n", "failed (exit 3)"),
        ("print('')\n", "printed no key"),
        (f"print('{KEY}')\nprint('url: https://close.com')\n", "more than one word"),
    ],
    ids=["fails", "prints-nothing", "prints-more"],
)
def test_a_failing_command_is_one_line_exit_4_without_its_output(cli, fake_cli, home, tmp_path, code, says):
    profile_with(home, command(tmp_path, code))
    result = cli("inbox")
    assert result.exit_code == 4
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: api_key_command of profile acme") and says in error
    assert hint.startswith("hint: ")
    assert KEY not in result.output
    assert fake_cli.requests == []


def test_a_missing_program_is_named(cli, fake_cli, home):
    profile_with(home, "no-such-password-manager show close/acme")
    result = cli("inbox")
    assert result.exit_code == 4
    assert "'no-such-password-manager' not found" in result.stderr


def test_a_command_that_hangs_is_stopped(cli, fake_cli, home, tmp_path, monkeypatch):
    from closetask import key_command

    monkeypatch.setattr(key_command, "TIMEOUT", 0.5)
    profile_with(home, command(tmp_path, "import time\ntime.sleep(30)\n"))
    result = cli("inbox")
    assert result.exit_code == 4
    assert "did not finish within 0.5 s" in result.stderr


def test_no_shell_runs_it(cli, fake_cli, home, tmp_path):
    marker = tmp_path / "shell-ran"
    profile_with(home, f"echo {KEY}; touch {marker}")
    result = cli("inbox")
    assert result.exit_code == 4  # `echo` printed several words: no shell ran the `;`
    assert not marker.exists()


def test_config_set_api_key_command_checks_it_and_replaces_the_key(cli, fake_cli, home, tmp_path):
    (home / "config.toml").write_text('[profiles.default]\napi_key = "api_old"\n')
    fake_cli.on("GET", "me/", respond(200, ME))
    cmd = command(tmp_path, f"print('{KEY}')\n")
    result = cli("config", "set", "api_key_command", cmd)
    assert result.exit_code == 0, result.stderr
    assert fake_cli.requests[0].headers["Authorization"] == basic(KEY)
    import tomllib

    profile = tomllib.loads((home / "config.toml").read_text())["profiles"]["default"]
    assert profile["api_key_command"] == cmd and "api_key" not in profile
    assert KEY not in (home / "config.toml").read_text() and KEY not in result.output
