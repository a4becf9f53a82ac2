"""Fault injection and rate limiting, for the fault suite (tests/faults) and the benchmarks (bench/).

Everything is deterministic: a failing share of requests comes from a seeded RNG drawn in
request order, and a window ("A:B") fails exactly the eligible requests numbered A..B.
A failed request never reaches the handler, so its change is not applied, except with
`reset-after`, which applies the change and then drops the connection ("a PUT that may
have arrived").
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

FAIL_MODES = ("503", "500", "502", "504", "reset", "reset-after", "html", "empty", "truncated")
RATE_LIMIT_STYLES = ("retry-after", "ratelimit", "bare", "flat")
ADVERTISED_LIMIT = 1000  # what RateLimit says when no --rate-limit is enforced
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class ConnectionDropped(ConnectionResetError):
    """Raised by the app to drop the connection without an answer. The threaded server
    resets the socket; the embedded transport turns it into an httpx transport error."""


def parse_window(raw: str) -> tuple[int, int]:
    """ "A:B" (1-based, inclusive) -> (A, B); ValueError with a one-line message otherwise."""
    try:
        first, last = (int(part) for part in raw.split(":"))
    except ValueError:
        raise ValueError(f"fail window {raw!r} must look like A:B, e.g. 3:5") from None
    if not 1 <= first <= last:
        raise ValueError(f"fail window {raw!r} needs 1 <= A <= B")
    return first, last


@dataclass(frozen=True)
class Faults:
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    fail_mode: str = "503"
    fail_method: str | None = None  # only requests of this method are eligible
    fail_window: tuple[int, int] | None = None  # eligible requests A..B (1-based) fail
    rate_limit: int | None = None  # requests per second per key and endpoint group; None: not enforced
    rate_limit_style: str = "retry-after"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency must be >= 0 ms")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail rate must be between 0 and 1")
        if self.fail_mode not in FAIL_MODES:
            raise ValueError(f"fail mode must be one of: {', '.join(FAIL_MODES)}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate limit must be >= 1 request per second")
        if self.rate_limit_style not in RATE_LIMIT_STYLES:
            raise ValueError(f"rate-limit style must be one of: {', '.join(RATE_LIMIT_STYLES)}")
        if self.fail_window is not None:
            first, last = self.fail_window
            if not 1 <= first <= last:
                raise ValueError("fail window needs 1 <= A <= B")
        if self.fail_method is not None:
            object.__setattr__(self, "fail_method", self.fail_method.upper())


class FaultPlan:
    """Decides, request by request and thread-safely, which requests fail."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._lock = threading.Lock()
        self._rng = random.Random(faults.seed)
        self.eligible = 0  # eligible requests seen so far

    def should_fail(self, method: str) -> bool:
        f = self.faults
        if not (f.fail_rate or f.fail_window):
            return False
        if f.fail_method and method.upper() != f.fail_method:
            return False
        with self._lock:
            self.eligible += 1
            if f.fail_window and f.fail_window[0] <= self.eligible <= f.fail_window[1]:
                return True
            return bool(f.fail_rate) and self._rng.random() < f.fail_rate


def fault_response(mode: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """The answer a broken server or proxy gives (modes that answer at all)."""
    if mode == "html":
        return 502, [("Content-Type", "text/html")], _HTML.encode()
    if mode == "empty":
        return 503, [], b""
    if mode == "truncated":
        body = json.dumps({"error": "Internal Server Error", "trace_id": "0" * 32}).encode()
        return 500, [("Content-Type", "application/json")], body[: len(body) // 2]
    status = int(mode)
    return status, [("Content-Type", "application/json")], json.dumps({"error": _REASONS[status]}).encode()


@dataclass(frozen=True)
class RateState:
    allowed: bool
    limit: int
    remaining: int
    reset: float  # seconds until a slot frees up

    def headers(self) -> list[tuple[str, str]]:
        # Integer seconds, rounded up: closeio 2.1 parses `reset=(\d+)`, and "0.87" would
        # read as 0 and make it retry at once.
        reset = str(math.ceil(self.reset))
        return [
            ("RateLimit", f"limit={self.limit}, remaining={self.remaining}, reset={reset}"),
            ("X-Rate-Limit-Limit", str(self.limit)),
            ("X-Rate-Limit-Remaining", str(self.remaining)),
            ("X-Rate-Limit-Reset", reset),
        ]


class RateLimiter:
    """Sliding one-second window per key the app names (API key and endpoint group). Refused requests do not count, so a client
    that waits `reset` gets in."""

    def __init__(self, limit: int | None, *, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> RateState:
        limit = self.limit or ADVERTISED_LIMIT
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            allowed = self.limit is None or len(hits) < limit
            if allowed:
                hits.append(now)
            reset = (hits[0] + self.window - now) if hits else 0.0
            remaining = max(limit - len(hits), 0)
        return RateState(allowed, limit, remaining, max(reset, 0.0))

    def refusal(self, state: RateState, style: str) -> tuple[list[tuple[str, str]], bytes]:
        """Headers and body of a 429 in one of the forms seen from Close (close-api.md)."""
        if style == "bare":  # Close's ingress: no headers, no JSON
            return [], b""
        if style == "flat":  # the recorded older form: rate_reset a *string*; no rate headers here
            flat = {
                "message": "API call count exceeded for this period",
                "rate_endpoint_group": "0" * 32,
                "rate_limit": state.limit,
                "rate_limit_type": "key",
                "rate_reset": f"{state.reset:.6f}",
                "rate_window": int(self.window) if float(self.window).is_integer() else self.window,
            }
            return [("Content-Type", "application/json")], json.dumps(flat).encode()
        body = {"error": {"message": "API call count exceeded for this period", "rate_reset": round(state.reset, 3)}}
        headers = [("Content-Type", "application/json"), *state.headers()]
        if style == "retry-after":
            headers.append(("Retry-After", str(max(1, math.ceil(state.reset)))))
        else:  # "ratelimit": only the RateLimit header says when
            headers = [h for h in headers if h[0] in ("Content-Type", "RateLimit")]
        return headers, json.dumps(body).encode()
