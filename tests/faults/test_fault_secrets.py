"""The API key stays secret: never on stdout or stderr (--debug included), in the journal, the
row refs, the caches or an error message, whatever the commands do and however they fail.
Plus: private files, no plain http off loopback, TLS verification that cannot be turned off,
and a sandbox that listens on loopback and checks the key."""

from __future__ import annotations

import base64
import os
import stat
import subprocess

import pytest

from fault_server import db_tasks, logged, run_closetask, write_profile
from sandboxproc import TEST_KEY, closetask_argv

WRONG_KEY = "api_WrongKey0987654321.zyxwvuLEAKED"


def forms(key: str) -> dict[str, str]:
    """The key as it could leak: itself, its Basic auth form, and its tail."""
    return {
        "key": key,
        "basic": base64.b64encode(f"{key}:".encode()).decode(),
        "last 8": key[-8:],
    }


def assert_nowhere(texts: dict[str, str], *keys: str) -> None:
    for key in keys:
        for form, secret in forms(key).items():
            for where, text in texts.items():
                assert secret not in text, f"the key ({form}) leaked into {where}"


def home_files(home) -> dict[str, str]:
    """Every file under CLOSETASK_HOME but config.toml (the one place the key belongs)."""
    return {
        str(p.relative_to(home)): p.read_text(errors="replace")
        for p in home.rglob("*")
        if p.is_file() and p.name != "config.toml"
    }


@pytest.mark.e2e
def test_the_key_never_leaks_through_commands_that_work_or_fail(serve, user, tmp_path):
    server = serve()
    slow = serve("--latency", "400", at="slow")
    resetting = serve("--fail-method", "POST", "--fail-mode", "reset", "--fail-rate", "1", at="resetting")
    home = tmp_path / "user-home"
    outputs: dict[str, str] = {}
    # The key only in the config file (as after `config init`), not in the environment.
    from_config = {"CLOSE_API_KEY": "", "CLOSETASK_BASE_URL": ""}

    def run(label: str, target, *args: str, code: int = 0, **options):
        ran = run_closetask(target, *args, home=home, **options).clean()
        assert ran.exit_code == code, (label, ran.stderr)
        outputs[f"{label} stdout"], outputs[f"{label} stderr"] = ran.stdout, ran.stderr
        return ran

    run(
        "init",
        server,
        "--debug",
        "config",
        "init",
        "--api-key-stdin",
        "--base-url",
        server.base_url,
        "--timezone",
        "UTC",
        input=TEST_KEY + "\n",
        env=from_config,
    )
    assert TEST_KEY in (home / "config.toml").read_text()
    run("config show", server, "config", "show", env=from_config)
    run("whoami", server, "--debug", "whoami", "--json", env=from_config)
    run("inbox", server, "--debug", "inbox", "--table", env=from_config)  # rows for `done 1 2`
    listing = run("inbox tsv", server, "--debug", "inbox", env=from_config)
    lead = next(t["lead_id"] for t in db_tasks(server).values() if t["lead_id"])
    run("done", server, "--debug", "done", "1", "2", env=from_config)
    run("add", server, "--debug", "add", "Leak check", "--lead", lead, "--json", env=from_config)
    run("bulk", server, "--debug", "bulk", "--before", "today", "--complete", "--yes", "--json", env=from_config)
    run("undo list", server, "undo", "--list", "--json", env=from_config)
    run("undo", server, "--debug", "undo", "--yes", env=from_config)
    run("show", server, "--debug", "show", listing.stdout.split("\t")[1], env=from_config)
    # ... and failing ones: a rejected key, an unknown task, a dropped POST, a time-out, bad input.
    run("wrong key", server, "--debug", "inbox", code=4, env={"CLOSE_API_KEY": WRONG_KEY})
    run("not found", server, "--debug", "show", "task_doesNotExist000000000", code=1, env=from_config)
    run("reset", resetting, "--debug", "add", "x", "--lead", lead, code=5)
    write_profile(tmp_path / "timeout-home", timeout=0.1)
    ran = run_closetask(slow, "--debug", "add", "x", "--lead", lead, home=tmp_path / "timeout-home")
    assert ran.exit_code == 5
    outputs["timeout stderr"] = ran.stderr
    run("usage", server, "--debug", "done", "--nope", code=2, env=from_config)

    assert "debug: GET " in outputs["inbox stderr"]  # --debug did log requests
    assert_nowhere({**outputs, **home_files(home), **home_files(tmp_path / "timeout-home")}, TEST_KEY, WRONG_KEY)
    # The wrong key was only in the environment: it was never written anywhere.
    assert_nowhere({"config.toml": (home / "config.toml").read_text()}, WRONG_KEY)
    # Every file closetask wrote is private: the config holds the key, the journal and the
    # caches hold task content.
    names = {str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()}
    assert {
        "config.toml",
        "state/profiles/default/journal.jsonl",
        "state/profiles/default/rows-dev-pts-test.json",
    } <= names
    for path in home.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_the_key_is_not_in_error_messages_for_unreachable_servers(against, tmp_path):
    """A closed port (connection refused) and a host that does not resolve."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again once the block ends: nothing listens there

    class Nowhere:
        api_key = TEST_KEY
        base_url = f"http://127.0.0.1:{port}/api/v1/"

    texts = {}
    for label, url in (("refused", Nowhere.base_url), ("unresolvable", "https://nonexistent.invalid/api/v1/")):
        for args in (("--debug", "inbox"), ("add", "x", "--lead", "lead_abcdefghij0123456789")):
            ran = against(Nowhere, *args, env={"CLOSETASK_BASE_URL": url})
            assert ran.fails(5).startswith("error: ")
            texts[f"{label} {args[0]}"] = ran.output
    assert_nowhere({**texts, **home_files(against.home)}, TEST_KEY)


def test_the_key_is_not_in_the_exception_or_its_chain(tmp_path):
    """The exception objects themselves (what a traceback under --debug would show)."""
    import httpx

    from closetask.close.http import CloseClient, RetryPolicy
    from closetask.core.timezone import TimeZone
    from closetask.errors import ClosetaskError

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    def reject(request):
        return httpx.Response(401, json={"error": "bad key " + request.headers.get("authorization", "")[:0]})

    for handler in (refuse, reject):
        client = CloseClient(
            "https://api.close.com/api/v1/",
            TEST_KEY,
            TimeZone.utc(),
            transport=httpx.MockTransport(handler),
            retry=RetryPolicy(attempts=1),
        )
        with pytest.raises(ClosetaskError) as info:
            client.get("me/")
        chain, exc = [], info.value
        while exc is not None:
            chain.append(f"{exc!r} {exc} {getattr(exc, 'hint', '')} {exc.args}")
            exc = exc.__cause__ or exc.__context__
        assert_nowhere({"exception": " ".join(chain)}, TEST_KEY)


# --- files --------------------------------------------------------------------------------


def test_a_config_made_readable_by_others_is_warned_about_by_every_command(cli, home):
    write_profile(home, api_key=TEST_KEY)
    path = home / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    for args in (["config", "show"], ["--sandbox", "inbox"], ["undo", "--list"]):
        result = cli(*args)
        assert f"warning: {path} is readable by other users; run: chmod 600 {path}" in result.stderr, args
        assert TEST_KEY not in result.output
    # `config set` rewrites it private again.
    assert cli("config", "set", "page_size", "50").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- plain http only to loopback --------------------------------------------------------

REFUSED_URLS = [
    "http://example.com/api/v1/",
    "HTTP://EXAMPLE.COM/api/v1/",
    "http://127.0.0.1@example.com/api/v1/",  # the host is example.com
    "http://localhost.example.com/api/v1/",
    "http://127.0.0.1.nip.io/api/v1/",
    "http://0.0.0.0:8000/api/v1/",
    "http://192.168.1.10/api/v1/",
    "http://[fe80::1]/api/v1/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_plain_http_off_loopback_is_refused_everywhere_a_url_is_taken(cli, home, url):
    # From the environment: bad input, exit 2 before anything is sent (there is no server to send to).
    result = cli("inbox", env={"CLOSE_API_KEY": TEST_KEY, "CLOSETASK_BASE_URL": url})
    assert result.exit_code == 2 and "refusing plain http://" in result.stderr, result.stderr
    # config set: refused, nothing written.
    write_profile(home, timeout=30.0)
    before = (home / "config.toml").read_bytes()
    result = cli("config", "set", "base_url", url)
    assert result.exit_code == 2 and "refusing plain http://" in result.stderr
    assert (home / "config.toml").read_bytes() == before
    # config init: refused before the key is sent anywhere.
    result = cli("config", "init", "--api-key-stdin", "--base-url", url, input=TEST_KEY)
    assert result.exit_code == 2 and "refusing plain http://" in result.stderr
    assert (home / "config.toml").read_bytes() == before
    assert TEST_KEY not in result.output


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/api/v1/", "http://localhost:9/api/v1/", "http://[::1]:9/api/v1/"])
def test_plain_http_to_loopback_is_allowed(cli, home, url):
    assert cli("config", "set", "base_url", url).exit_code == 0
    assert cli("config", "show", "--json").stdout.count(url) == 1


# --- TLS verification cannot be turned off -------------------------------------------------


def _ssl_context(client):
    return client._http._transport._pool._ssl_context


def test_tls_verification_is_on_whatever_the_environment_or_profile_says(home, monkeypatch):
    """No setting, variable or option turns verification off: the one client a command uses
    checks certificates and host names."""
    import ssl

    from closetask.session import Session

    for name, value in {
        "PYTHONHTTPSVERIFY": "0",
        "CURL_CA_BUNDLE": "",
        "REQUESTS_CA_BUNDLE": "",
        "HTTPX_VERIFY": "0",
        "CLOSETASK_VERIFY": "0",
        "CLOSETASK_INSECURE": "1",
        "CLOSETASK_TLS_VERIFY": "false",
        "SSL_VERIFY": "false",
        "CLOSE_API_KEY": TEST_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    # Settings a user might try in the file; unknown keys are ignored, never obeyed.
    (home / "config.toml").write_text(
        "[profiles.default]\nverify = false\ninsecure = true\ntls_verify = false\nssl = false\n"
    )
    (home / "config.toml").chmod(0o600)
    app = Session()
    client = app.client()
    try:
        context = _ssl_context(client)
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True
    finally:
        app.close()


def test_plain_http_to_loopback_loads_no_ca_bundle_and_would_refuse_any_certificate():
    """http:// never does TLS, so no CA bundle is loaded (85 ms a command); the context in
    its place still requires a certificate and trusts none: it can only fail closed."""
    import ssl

    from closetask.close.http import CloseClient
    from closetask.core.timezone import TimeZone

    with CloseClient("http://127.0.0.1:9/api/v1/", TEST_KEY, TimeZone.parse("0")) as client:
        context = _ssl_context(client)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
        assert context.cert_store_stats()["x509_ca"] == 0
    with CloseClient("https://api.close.com/api/v1/", TEST_KEY, TimeZone.parse("0")) as client:
        assert _ssl_context(client).cert_store_stats()["x509_ca"] > 0  # https: the real bundle


def test_no_command_has_an_option_to_skip_tls_verification():
    from closetask.cli import command_tree

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    seen = 0
    for path, command in walk(command_tree(), ["closetask"]):
        for param in command.params:
            seen += 1
            words = " ".join([*param.opts, *param.secondary_opts, getattr(param, "envvar", None) or ""]).lower()
            assert not any(w in words for w in ("verify", "insecure", "ssl", "tls", "cert")), (path, param.opts)
    assert seen > 50


# --- the sandbox: loopback only, and it checks the key -----------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_sandbox_serve_refuses_a_non_loopback_host_without_the_allow_flag(tmp_path, host):
    proc = subprocess.run(
        [*closetask_argv(), "sandbox", "serve", "--host", host, "--port", "0", "--db", str(tmp_path / "db.sqlite3")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "CLOSETASK_HOME": str(tmp_path)},
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""  # no base_url line: it never listened
    assert f"error: refusing to listen on {host}: not a loopback address (add --allow-remote to insist)" in proc.stderr


@pytest.mark.e2e
def test_sandbox_listens_on_loopback_and_checks_the_key(serve, user):
    import httpx

    server = serve()
    assert server.base_url.startswith("http://127.0.0.1:")
    rejected = user(server, "inbox", env={"CLOSE_API_KEY": WRONG_KEY})
    assert rejected.fails(4).startswith("error: Close answered 401: ")
    assert "hint: check the key with `closetask config init` or CLOSE_API_KEY" in rejected.stderr
    assert WRONG_KEY not in rejected.output
    for auth in (None, ("", ""), (WRONG_KEY, ""), ("", TEST_KEY), (TEST_KEY[:-1], "")):
        assert httpx.get(server.base_url + "task/", auth=auth).status_code == 401, auth
    assert httpx.get(server.base_url + "me/", auth=(TEST_KEY, "")).status_code == 200
    assert [line.status for line in logged(server)] == ["401"] * 6 + ["200"]
