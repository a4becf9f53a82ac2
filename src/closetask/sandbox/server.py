"""Serve a WSGI app over threaded HTTP/1.1 with keep-alive (stdlib http.server).

Not wsgiref's server: its handler answers one request per connection, so keep-alive never
happens. This is a minimal WSGI gateway on BaseHTTPRequestHandler instead: the whole body is
buffered, Content-Length is always set, and head + body go out in one send. TCP_NODELAY is
set on every accepted socket: without it, Nagle's algorithm and the client's delayed ACK stall
each keep-alive request ~40 ms (measured: 44 ms against 0.3 ms).
"""

from __future__ import annotations

import io
import ipaddress
import signal
import socket
import struct
import sys
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import unquote

from closetask.sandbox.faults import ConnectionDropped

API_PATH = "/api/v1/"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive by default
    server_version = "closetask-sandbox"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: SandboxServer  # narrowed from BaseServer: the one server class that runs this handler
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's own, which it does not declare

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the app writes its own --log; stderr stays quiet

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _environ(self, body: bytes) -> dict:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path),
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in self.headers.items():
            name = key.upper().replace("-", "_")
            if name == "CONTENT_TYPE":
                environ[name] = value
            elif name not in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
                environ["HTTP_" + name] = value
        return environ

    def _handle(self) -> None:
        try:
            body = self._body()
        except ValueError:
            self.send_error(400, "Bad request body")
            return
        captured: list = []

        def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
            captured[:] = [status, headers]
            return lambda data: None

        try:
            result = self.server.app(self._environ(body), start_response)
            payload = b"".join(result)
            getattr(result, "close", lambda: None)()
        except ConnectionDropped:
            self._drop()
            return
        status, headers = captured
        code, _, reason = status.partition(" ")
        self.send_response_only(int(code), reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # one send for head and body: no small-packet ping-pong even without NODELAY
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + (payload if self.command != "HEAD" else b""))
        self._headers_buffer = []

    def _drop(self) -> None:
        """Reset the connection without answering: SO_LINGER 0 makes close() send a RST."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True  # idle keep-alive connections must not keep the process alive
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Callable, *, ipv6: bool = False) -> None:
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.app = app
        self.accepted = 0  # connections accepted (tests check keep-alive reuses one)
        self.nodelay: deque[bool] = deque(maxlen=64)  # TCP_NODELAY read back per socket
        self._count_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, object]:
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._count_lock:
            self.accepted += 1
            self.nodelay.append(bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
        return sock, addr

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{API_PATH}"


def make_server(app: Callable, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False) -> SandboxServer:
    """Bind (port 0 picks a free port). A host that is not loopback needs allow_remote: the
    sandbox has a well-known demo key and must not be reachable from a network by accident."""
    if not allow_remote and not is_loopback(host):
        raise ValueError(f"refusing to listen on {host}: not a loopback address (pass --allow-remote to insist)")
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range (0-65535)")
    return SandboxServer((host.strip("[]"), port), app, ipv6=":" in host)


def serve(
    app: Callable,
    host: str = "127.0.0.1",
    port: int = 0,
    ready: Callable[[str], None] | None = None,
    *,
    allow_remote: bool = False,
    stop: threading.Event | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM (in the main thread) or `stop` is set; return normally.

    `ready` gets the base URL (`http://127.0.0.1:PORT/api/v1/`) once the socket listens.
    In another thread (tests), pass `stop` to end it.
    """
    server = make_server(app, host, port, allow_remote=allow_remote)
    if stop is not None:
        event = stop  # bound now: the signal handler below must not shadow it

        def stop_when_set() -> None:
            event.wait()
            server.shutdown()

        threading.Thread(target=stop_when_set, daemon=True).start()
    main = threading.current_thread() is threading.main_thread()
    previous: dict[signal.Signals, Any] = {}

    def on_signal(signum: int, frame: object) -> None:
        # Not an exception: raised at an arbitrary point it can land in socketserver's
        # `except Exception` around a request and be swallowed. shutdown() from another
        # thread makes serve_forever() return at its next poll.
        threading.Thread(target=server.shutdown, daemon=True).start()

    if main:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        if ready is not None:
            ready(server.base_url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:  # a SIGINT that came before our handler was in place
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.server_close()
