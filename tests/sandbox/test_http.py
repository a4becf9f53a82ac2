"""Over real HTTP: keep-alive with TCP_NODELAY, dropped connections, the CLI server, and a
third-party Close client working unchanged."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading

import httpx
import pytest

from closetask.sandbox.app import SandboxApp
from closetask.sandbox.faults import Faults
from closetask.sandbox.server import is_loopback, make_server, serve

from sandbox_helpers import NOW


@pytest.fixture
def served(store):
    """serve(app) in a thread; yields a function making (server, base_url) for given options."""
    servers = []

    def start(**options):
        options.setdefault("clock", lambda: NOW)
        server = make_server(SandboxApp(store, **options), "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_keep_alive_reuses_one_connection_with_nodelay(served, store):
    server = served()
    with httpx.Client(base_url=server.base_url, auth=(store.api_key, "")) as c:
        for _ in range(30):
            assert c.get("task/", params={"_limit": 5}).status_code == 200
        task = c.get("task/", params={"view": "inbox"}).json()["data"][0]
        assert c.put(f"task/{task['id']}/", json={"is_complete": True}).json()["view"] == "archive"
        assert c.delete(f"task/{task['id']}/").json() == {}
        assert c.get("nope/").status_code == 404  # errors keep the connection too
        assert c.get("task/").headers["content-length"].isdigit()
    assert server.accepted == 1
    assert list(server.nodelay) == [True]


def test_every_accepted_socket_gets_nodelay(served, store):
    server = served()
    for _ in range(3):
        with httpx.Client(base_url=server.base_url, auth=(store.api_key, "")) as c:
            c.get("me/")
    assert server.accepted == 3 and list(server.nodelay) == [True, True, True]


def test_raw_http_1_1_pipelined_requests_on_one_socket(served, store):
    server = served()
    port = server.server_address[1]
    import base64

    auth = base64.b64encode(f"{store.api_key}:".encode()).decode()
    request = f"GET /api/v1/me/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request * 2)
        data = b""
        while data.count(b"HTTP/1.1 200") < 2:
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
    assert data.count(b"Content-Length:") == 2


def test_chunked_request_body(served, store):
    server = served()
    with httpx.Client(base_url=server.base_url, auth=(store.api_key, "")) as c:
        task = c.get("task/", params={"view": "inbox"}).json()["data"][0]
        r = c.put(
            f"task/{task['id']}/",
            content=iter([b'{"is_complete":', b" true}"]),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 200 and r.json()["is_complete"] is True


def test_reset_drops_the_connection_and_the_server_keeps_serving(served, store):
    server = served(faults=Faults(fail_window=(2, 2), fail_mode="reset"))
    with httpx.Client(base_url=server.base_url, auth=(store.api_key, "")) as c:
        assert c.get("me/").status_code == 200
        with pytest.raises(httpx.TransportError):
            c.get("me/")
    server2 = served(faults=Faults(fail_rate=1.0, fail_mode="reset"))
    with httpx.Client(base_url=server2.base_url, auth=(store.api_key, "")) as c:
        with pytest.raises(httpx.TransportError):
            c.get("me/")
    with httpx.Client(base_url=server.base_url, auth=(store.api_key, "")) as c:
        assert c.get("me/").status_code == 200  # request 3: past the window


def test_reset_after_over_http_applies_the_put(served, store):
    server = served(faults=Faults(fail_rate=1.0, fail_mode="reset-after", fail_method="PUT"))
    with httpx.Client(base_url=server.base_url, auth=(store.api_key, "")) as c:
        task = c.get("task/", params={"view": "inbox"}).json()["data"][0]
        with pytest.raises(httpx.TransportError):
            c.put(f"task/{task['id']}/", json={"is_complete": True})
        assert c.get(f"task/{task['id']}/").json()["is_complete"] is True


def test_html_and_truncated_over_http(served, store):
    for mode, status in (("html", 502), ("truncated", 500), ("empty", 503)):
        server = served(faults=Faults(fail_rate=1.0, fail_mode=mode))
        r = httpx.get(server.base_url + "me/", auth=(store.api_key, ""))
        assert r.status_code == status and int(r.headers["content-length"]) == len(r.content)


def test_serve_in_a_thread_until_stopped(store):
    urls: list[str] = []
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=serve, args=(SandboxApp(store),), kwargs={"ready": lambda u: (urls.append(u), ready.set()), "stop": stop}
    )
    thread.start()
    assert ready.wait(30)
    assert urls[0].startswith("http://127.0.0.1:") and urls[0].endswith("/api/v1/")
    with httpx.Client(base_url=urls[0], auth=(store.api_key, "")) as c:
        assert c.get("me/").json()["email"] == "alex.morgan@brightwater.example"
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls[0] + "me/")


def test_only_loopback_unless_allowed(store):
    app = SandboxApp(store)
    for host in ("0.0.0.0", "192.168.1.10", "example.com"):
        with pytest.raises(ValueError, match="loopback"):
            make_server(app, host, 0)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    make_server(app, "0.0.0.0", 0, allow_remote=True).server_close()


# --- the CLI server (tests/conftest.py's sandbox_server: `closetask sandbox serve` subprocess) ---


def test_plain_httpx_the_way_closeio_does_it(sandbox_server):
    """A third-party client: Basic auth with the key and an empty password, X-TZ-Offset as
    "-8.0", JSON bodies, trailing slashes; list, create, update, bulk-update, delete."""
    c = httpx.Client(
        base_url=sandbox_server.base_url,
        auth=(sandbox_server.api_key, ""),
        headers={"X-TZ-Offset": "-8.0", "User-Agent": "Close/2.1 python"},
    )
    listed = c.get("task/", params={"view": "inbox", "_fields": "id,lead_id"}).json()
    assert listed["data"] and set(listed["data"][0]) == {"id", "lead_id"}
    created = c.post("task/", json={"lead_id": listed["data"][0]["lead_id"], "text": "Via httpx", "date": "2026-12-01"})
    assert created.status_code == 200
    task_id = created.json()["id"]
    assert c.put(f"task/{task_id}/", json={"is_complete": True}).json()["is_complete"] is True
    assert c.put("task/", params={"id__in": task_id}, json={"is_complete": False}).status_code == 200
    assert c.get(f"task/{task_id}/").json()["is_complete"] is False
    assert c.delete(f"task/{task_id}/").json() == {}
    assert c.get(f"task/{task_id}/").status_code == 404
    assert [line.split()[0] for line in sandbox_server.requests()] == [
        "GET",
        "POST",
        "PUT",
        "PUT",
        "GET",
        "DELETE",
        "GET",
    ]


def test_closeio_client_unchanged(sandbox_server):
    import closeio_api as closeio  # the test extra installs it: Close's own client, unchanged

    api = closeio.API(sandbox_server.base_url, api_key=sandbox_server.api_key, tz_offset=-8)
    tasks = api.get("task", params={"view": "inbox", "_type": "all"})["data"]
    created = api.post("task", data={"lead_id": tasks[0]["lead_id"], "text": "From closeio"})
    assert created["is_dateless"] is True
    assert api.put("task/" + created["id"], data={"is_complete": True})["view"] == "archive"
    api.put("task", params={"id__in": created["id"]}, data={"assigned_to": tasks[0]["assigned_to"]})
    assert api.delete("task/" + created["id"]) == {}
    with pytest.raises(closeio.ValidationError) as info:
        api.post("task", data={"lead_id": "lead_nope"})
    assert info.value.field_errors == {"lead": "Object does not exist."}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serve_stops_cleanly(sandbox_server, sig):
    server = sandbox_server
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/api/v1/")
    assert httpx.get(server.base_url + "me/", auth=(server.api_key, "")).status_code == 200
    server.process.send_signal(sig)
    assert server.process.wait(timeout=20) == 0
    assert "Traceback" not in server.process.stderr.read()
    assert server.requests() == ["GET /api/v1/me/ 200"]


def test_cli_serve_refuses_bad_options(cli):
    for args, needle in (
        (["--host", "0.0.0.0"], "loopback"),
        (["--fail-mode", "teapot"], "fail mode"),
        (["--fail-rate", "2"], "fail rate"),
        (["--fail-window", "9"], "A:B"),
        (["--rate-limit", "0"], "rate limit"),
        (["--port", "70000"], "port"),
    ):
        result = cli("sandbox", "serve", *args)
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.stderr and "Traceback" not in result.output


def test_serve_refuses_a_db_in_a_missing_directory_and_reset_creates_it(cli, tmp_path):
    """A typo in --db must not serve a new, freshly seeded database somewhere else."""
    db = tmp_path / "no" / "such" / "sandbox.sqlite3"
    result = cli("sandbox", "serve", "--db", str(db))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: --db {db}: no directory {db.parent}",
        f"hint: closetask sandbox reset --db {db} creates it",
    ]
    assert not db.parent.exists()
    made = cli("sandbox", "reset", "--db", str(db), "--tasks", "5")
    assert made.exit_code == 0, made.stderr
    assert db.exists()


def test_cli_reset_and_serve_help(cli):
    for command in ("serve", "reset"):
        result = cli("sandbox", command, "--help")
        assert result.exit_code == 0 and "Example: closetask sandbox" in result.stdout


def test_sandbox_package_stands_alone():
    """The emulator imports nothing from the rest of closetask, and no httpx at import."""
    code = (
        "import sys, closetask.sandbox.app, closetask.sandbox.server, closetask.sandbox.seed, "
        "closetask.sandbox.embedded; "
        "bad = [m for m in sys.modules if m.startswith('closetask.') and not m.startswith('closetask.sandbox')"
        " or m in ('httpx', 'typer', 'rich')]; print(bad)"
    )
    out = subprocess.run([os.sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    light = subprocess.run(
        [os.sys.executable, "-c", "import sys, closetask.sandbox; print('sqlite3' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert light.strip() == "False"
