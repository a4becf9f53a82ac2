"""The thin HTTP layer: one httpx.Client per process, auth, X-TZ-Offset, time-outs, retries,
rate limits, pagination, and Close's errors turned into typed exceptions.

Nothing here prints; waits and debug lines go through callbacks the CLI provides.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from closetask import __version__
from closetask.errors import (
    ApiError,
    AuthError,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    ValidationFailed,
)

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = {502, 503, 504}
IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD"}


@dataclass
class RetryPolicy:
    """Retries are bounded both in count and in total time spent waiting."""

    attempts: int = 5  # tries in all, the first included
    max_total_wait: float = 120.0  # seconds of sleeping across one request's retries
    max_single_wait: float = 60.0  # a Retry-After longer than this is capped
    backoff_base: float = 0.5  # first backoff for 5xx / network errors, doubled each time
    default_rate_wait: float = 2.0  # a 429 that says nothing about when to come back
    # Waits this long or longer are announced: Close's Retry-After is whole seconds, at least
    # 1, so every wait a 429 asks for is said (a 1 s wait was silent before); shorter ones stay quiet.
    announce_after: float = 1.0


def _now() -> datetime:
    return datetime.now(timezone.utc)


class CloseClient:
    """A Close API client. `tz` is anything with `offset_header(at) -> str` (core's TimeZone):
    the offset is computed for each request, so it follows daylight saving.

    Example:
        client = CloseClient("https://api.close.com/api/v1/", key, TimeZone.parse("-8"))
        for page in client.paginate("task/", {"view": "inbox", "_type": "all"}):
            ...
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        tz: Any,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        retry: RetryPolicy | None = None,
        notify: Callable[[str], None] | None = None,
        debug: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] = _now,
        sleep: Callable[[float], None] = time.sleep,
        max_connections: int = 10,
    ) -> None:
        import httpx

        self.tz = tz
        self.retry = retry or RetryPolicy()
        self._notify = notify or (lambda message: None)
        self._debug = debug
        self._clock = clock
        self._sleep = sleep
        self._random = random.Random()
        self.requests_sent = 0
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        if transport is None and base_url.startswith("http://"):
            # Plain http is only ever loopback (config refuses it elsewhere) and redirects are
            # not followed, so TLS never happens: loading the CA bundle would cost ~85 ms of
            # every command for nothing. The context given instead still fails closed: it
            # requires a certificate and trusts none.
            import ssl

            transport = httpx.HTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), limits=limits)
        self._http = httpx.Client(
            base_url=base_url,
            auth=httpx.BasicAuth(api_key, ""),
            headers={"User-Agent": f"closetask/{__version__}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            limits=limits,
            # verify stays at httpx's default (True) for https: there is deliberately no
            # switch to turn TLS verification off.
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CloseClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one request, with retries ------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> Any:
        """Send one request; return the parsed JSON body (None for an empty one)."""
        import httpx

        method = method.upper()
        params = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            headers = {"X-TZ-Offset": self.tz.offset_header(self._clock())}
            started = time.monotonic()
            try:
                self.requests_sent += 1
                response = self._http.request(
                    method, path, params=params, json=json_body, headers=headers
                )
            except httpx.TransportError as exc:
                self._log(method, path, params, f"error {type(exc).__name__}", started, attempt)
                # A POST is repeated only when it cannot have reached the server.
                safe = method in IDEMPOTENT or isinstance(
                    exc, (httpx.ConnectError, httpx.ConnectTimeout)
                )
                if safe and attempt < self.retry.attempts:
                    delay = self._backoff(attempt)
                    if waited + delay <= self.retry.max_total_wait:
                        waited += self._wait(delay, f"{_describe_transport(exc)}; retrying", attempt)
                        continue
                error = NetworkError(_network_message(exc, self._http.base_url, repeatable=safe))
                if not safe:
                    error.hint = (
                        f"Close may have applied this {method} although no answer came back: "
                        "check before repeating it (closetask undo --list shows what was attempted)"
                    )
                raise error from None
            self._log(method, path, params, str(response.status_code), started, attempt)

            status = response.status_code
            if status < 400:
                return _json_or_none(response)
            if attempt < self.retry.attempts:
                delay: float | None = None
                if status == 429:
                    # The server refused the request before doing anything: safe for POST too.
                    delay = rate_limit_wait(response, attempt, self.retry)
                    reason = "rate limited by Close"
                elif status in RETRY_STATUSES and method in IDEMPOTENT:
                    delay = self._backoff(attempt)
                    reason = f"Close answered {status}"
                if delay is not None and waited + delay <= self.retry.max_total_wait:
                    waited += self._wait(delay, reason, attempt)
                    continue
            raise error_from_response(response)

    def _backoff(self, attempt: int) -> float:
        base = self.retry.backoff_base * (2 ** (attempt - 1))
        return min(self.retry.max_single_wait, base * (0.5 + self._random.random()))

    def _wait(self, delay: float, reason: str, attempt: int) -> float:
        if delay >= self.retry.announce_after:
            self._notify(
                f"{reason}; waiting {delay:.1f} s before retry {attempt}/{self.retry.attempts - 1}"
            )
        self._sleep(delay)
        return delay

    def _log(self, method: str, path: str, params: Mapping[str, Any], outcome: str, started: float, attempt: int) -> None:
        if self._debug is None:
            return
        from urllib.parse import urlencode

        url = str(self._http.base_url.join(path))
        if params:
            url += "?" + urlencode(params)
        ms = (time.monotonic() - started) * 1000
        retry = f" (attempt {attempt})" if attempt > 1 else ""
        # Only method, URL, status and time: headers (and so the key) are never logged.
        self._debug(f"{method} {url} -> {outcome} in {ms:.0f} ms{retry}")

    # --- conveniences -------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, json_body=body)

    def put(self, path: str, body: Any, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("PUT", path, params=params, json_body=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        limit: int | None = None,
        concurrency: int = 1,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of `data` following `has_more`, in order, until `limit` items.

        With concurrency > 1, the first page is fetched alone; after it, up to that many
        pages are requested at once ahead of the one being consumed; pages past the end come back empty and are dropped, so nothing is
        lost or repeated as long as the set does not change while it is read.
        """
        params = dict(params or {})
        if concurrency <= 1:
            yield from self._pages_serial(path, params, page_size, limit)
        else:
            yield from self._pages_concurrent(path, params, page_size, limit, concurrency)

    def _page(self, path: str, params: dict[str, Any], skip: int, size: int) -> tuple[list[dict[str, Any]], bool]:
        body = self.get(path, {**params, "_skip": skip, "_limit": size})
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ApiError(f"unexpected answer from Close for {path}: not a list envelope")
        return body["data"], bool(body.get("has_more"))

    def _pages_serial(self, path: str, params: dict[str, Any], page_size: int, limit: int | None) -> Iterator[list[dict[str, Any]]]:
        skip = 0
        while True:
            size = page_size if limit is None else min(page_size, limit - skip)
            if size <= 0:
                return
            data, has_more = self._page(path, params, skip, size)
            if data:
                yield data
            skip += len(data)
            if not has_more or not data:
                return

    def _pages_concurrent(self, path: str, params: dict[str, Any], page_size: int, limit: int | None, concurrency: int) -> Iterator[list[dict[str, Any]]]:
        from concurrent.futures import ThreadPoolExecutor

        def offsets() -> Iterator[int]:
            skip = 0
            while limit is None or skip < limit:
                yield skip
                skip += page_size

        # The first page goes alone: a listing that fits in one page (most inboxes) costs one
        # request, as it would serially; only a longer one fetches ahead, and then wastes at
        # most concurrency - 1 requests past its end.
        first_size = page_size if limit is None else min(page_size, limit)
        first, has_more = self._page(path, params, 0, first_size)
        if first:
            yield first
        if not has_more or len(first) < first_size:
            return

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            pending: list[Any] = []
            source = offsets()
            next(source)  # page 0 is done
            done = False

            def top_up() -> None:
                nonlocal done
                while not done and len(pending) < concurrency:
                    skip = next(source, None)
                    if skip is None:
                        done = True
                        return
                    size = page_size if limit is None else min(page_size, limit - skip)
                    pending.append(pool.submit(self._page, path, params, skip, size))

            try:
                top_up()
                while pending:
                    data, has_more = pending.pop(0).result()
                    if not has_more or len(data) < page_size:
                        done = True
                        for future in pending:
                            future.cancel()
                        # Let speculative requests finish before the pool shuts down.
                        for future in pending:
                            if not future.cancelled():
                                future.exception()
                        pending.clear()
                    # Refilled before the page is handed over: `concurrency` requests stay
                    # out while the caller writes it (after, the window sagged by one).
                    top_up()
                    if data:
                        yield data
            finally:
                for future in pending:
                    future.cancel()


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return value


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ApiError(
            f"Close answered {response.status_code} with a body that is not JSON", status=response.status_code
        ) from None


# --- rate limits ---------------------------------------------------------------------


def rate_limit_wait(response: httpx.Response, attempt: int, policy: RetryPolicy) -> float:
    """How long a 429 asks us to wait: the first signal present, newest form first.

    Close has announced it five ways (close-api.md, tests/recorded/): `Retry-After`, the
    `RateLimit: limit=…, remaining=…, reset=…` header, a separate `RateLimit-Reset` header
    (which Close's own client reads), the older `X-Rate-Limit-Reset`, and `rate_reset` in the
    body, nested under `error` (deprecated 2024-04) or flat, as a number or a string. A proxy
    may strip the headers, so the body is read too. Nothing at all: exponential back-off.
    """
    headers = response.headers
    signals = (
        lambda: _seconds(headers.get("Retry-After")),
        lambda: _ratelimit_reset(headers.get("RateLimit", "")),
        lambda: _seconds(headers.get("RateLimit-Reset")),
        lambda: _seconds(headers.get("X-Rate-Limit-Reset")),
        lambda: _body_rate_reset(response),
    )
    for signal in signals:
        wait = signal()
        if wait is not None:
            break
    else:
        wait = policy.default_rate_wait * (2 ** (attempt - 1))
    return max(0.0, min(wait, policy.max_single_wait))


def _body_rate_reset(response: httpx.Response) -> float | None:
    """`rate_reset` of a 429 body: `{"error": {"rate_reset": 0.87}}` or flat `{"rate_reset": "0.59"}`."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    nested = body.get("error")
    if isinstance(nested, dict) and "rate_reset" in nested:
        return _seconds(nested["rate_reset"])
    return _seconds(body.get("rate_reset"))


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        try:  # Retry-After may be an HTTP date
            when = parsedate_to_datetime(str(value))
            return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError, IndexError):
            return None
    return seconds if seconds >= 0 else None


def _ratelimit_reset(header: str) -> float | None:
    # "limit=100, remaining=50, reset=5"
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "reset":
            return _seconds(value.strip())
    return None


# --- errors --------------------------------------------------------------------------


def error_from_response(response: httpx.Response) -> ApiError:
    """Turn an error answer into a typed exception carrying Close's own message."""
    status = response.status_code
    message, field_errors = _close_message(response)
    cls: type[ApiError] = ApiError
    hint = None
    if status in (401, 403):
        cls = AuthError
        hint = "check the key with `closetask config init` or CLOSE_API_KEY"
        message = message or ("the API key was rejected" if status == 401 else "not allowed for this key")
    elif status == 404:
        cls = NotFound
    elif status == 400:
        cls = ValidationFailed
    elif status == 429:
        cls = RateLimited
        message = message or "rate limited by Close"
        hint = "the rate limit did not clear after retries; try again in a minute"
    elif status >= 500:
        cls = ServerError
    text = f"Close answered {status}: {message}" if message else f"Close answered {status} {_reason(response)}"
    return cls(text, status=status, field_errors=field_errors, hint=hint)


def _close_message(response: httpx.Response) -> tuple[str, dict[str, str]]:
    content = response.content or b""
    if not content.strip():
        return "", {}
    try:
        body = json.loads(content)
    except ValueError:
        kind = "an HTML page (a proxy?)" if b"<html" in content[:500].lower() else "a body that is not JSON"
        return f"{kind} instead of Close's JSON", {}
    if not isinstance(body, dict):
        return "", {}
    parts: list[str] = []
    error = body.get("error")
    if isinstance(error, str):
        parts.append(error)
    elif isinstance(error, dict) and error.get("message"):
        parts.append(str(error["message"]))
    if not parts and isinstance(body.get("message"), str) and body["message"]:
        parts.append(body["message"])  # the flat 429 body: {"message": "API call count exceeded …", "rate_reset": …}
    errors = body.get("errors")
    if isinstance(errors, list):
        parts.extend(str(e) for e in errors if e)
    field_errors = body.get("field-errors")
    fields: dict[str, str] = {}
    if isinstance(field_errors, dict):
        fields = {str(k): str(v) for k, v in field_errors.items()}
        parts.extend(f"{k}: {v}" for k, v in fields.items())
    return "; ".join(parts), fields


def _reason(response: httpx.Response) -> str:
    return f"({response.reason_phrase or 'no message'}, empty body)"


def _describe_transport(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "connection lost"


def _network_message(exc: Exception, base_url: Any, *, repeatable: bool = True) -> str:
    import httpx

    host = getattr(base_url, "host", "") or str(base_url)
    if isinstance(exc, httpx.ReadTimeout):
        # "Try again" only when repeating cannot do the change twice (not after a POST).
        again = "try again or raise" if repeatable else "raise"
        return f"{host} did not answer in time (read time-out); {again} `timeout` with `closetask config set timeout 60`"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out talking to {host}"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {host}: {_short(exc)}"
    return f"network error talking to {host}: {_short(exc) or type(exc).__name__}"


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
