"""The thin HTTP layer: one httpx.Client per process, auth, X-TZ-Offset, time-outs, retries,
rate-limit waits and pagination. What an answer means (errors, 429 signals) is answers.py.

Nothing here prints; waits and debug lines go through callbacks the CLI provides.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from closetask import __version__
from closetask.close.answers import (
    describe_transport,
    error_from_response,
    network_message,
    rate_budget,
    rate_limit_wait,
)
from closetask.errors import (
    ApiError,
    NetworkError,
)

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = {502, 503, 504}
MAX_PAGE_SIZE = 1000  # the largest `_limit` Close is known to take on /task/ (close-api.md)
IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD"}
# A 500 may come after a change was made, so only a read repeats it: a GET answered 500 during
# a rerun after exit 3 would otherwise fail the rerun itself.
READS = {"GET", "HEAD"}


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


# Waits for the announced rate limit at least this long are said (shorter ones are routine:
# a bulk near the limit waits a second at a time).
PACE_ANNOUNCE_AFTER = 5.0
_ID_SEGMENT = re.compile(r"[^/]*_[^/]*")  # task_…, noti_…, user_…: one group for every ID


class _Budget:
    """What Close last announced for one endpoint group (method and path): requests that may
    still be sent before `reset_at` (monotonic), net of those sent since that answer."""

    def __init__(self, limit: int, remaining: int, reset_at: float) -> None:
        self.limit, self.remaining, self.reset_at = limit, remaining, reset_at
        self.in_flight = 0


class Pacer:
    """Waits before a request that Close's `RateLimit` says would be refused. Thread-safe: the
    threads of one run share each group's budget. Close limits per endpoint group (path and
    method) and the header does not name the group, so each method and path (IDs folded) keeps
    its own; a group never heard from is not paced."""

    def __init__(self, sleep: Callable[[float], None], notify: Callable[[str], None]) -> None:
        self._sleep, self._notify = sleep, notify
        self._lock = threading.Lock()
        self._groups: dict[tuple[str, str], _Budget] = {}
        self.waited = 0.0  # seconds spent pacing (bench/ prints it)

    @staticmethod
    def group(method: str, path: str) -> tuple[str, str]:
        return method, _ID_SEGMENT.sub("{id}", path)

    def before(self, group: tuple[str, str]) -> None:
        """Take a slot of the group's budget, first waiting for its reset if none is left."""
        while True:
            with self._lock:
                budget = self._groups.get(group)
                if budget is None or budget.remaining > 0:
                    if budget is not None:
                        budget.remaining -= 1
                        budget.in_flight += 1
                    return
                seen = budget.reset_at
                wait = budget.reset_at - time.monotonic()
            if wait > 0:
                if wait >= PACE_ANNOUNCE_AFTER:
                    self._notify(f"pacing to Close's rate limit; waiting {wait:.1f} s")
                self._sleep(wait)
                self.waited += wait
            with self._lock:
                # Past the reset the window is fresh (unless an answer meanwhile said otherwise).
                if budget.reset_at == seen and budget.remaining <= 0:
                    budget.remaining = max(budget.limit, 1)
                    budget.reset_at = time.monotonic()

    def retrying(self, group: tuple[str, str]) -> None:
        """A 429's own wait is over: its retry goes now, as the 429 said (other threads still
        wait for the announced reset)."""
        with self._lock:
            budget = self._groups.get(group)
            if budget is not None:
                budget.remaining = max(budget.remaining, 1)

    def after(self, group: tuple[str, str], headers: Mapping[str, str] | None) -> None:
        """Record an answer (None: none came): what it announces, net of requests still out."""
        announced = rate_budget(headers) if headers is not None else None
        with self._lock:
            budget = self._groups.get(group)
            if budget is not None and budget.in_flight > 0:
                budget.in_flight -= 1
            if announced is None:
                return
            limit, remaining, reset = announced
            if budget is None:
                budget = self._groups[group] = _Budget(limit, remaining, 0.0)
            budget.limit = limit
            # Requests still out will use up what it announced. Answers to requests sent at
            # once can arrive out of turn, an older one announcing more: within the window the
            # budget only shrinks; past its reset, the answer is the news.
            left = remaining - budget.in_flight
            now = time.monotonic()
            budget.remaining = min(budget.remaining, left) if now < budget.reset_at else left
            budget.reset_at = now + reset


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
        self.pacer = Pacer(sleep, self._notify)
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
            group = self.pacer.group(method, path)
            self.pacer.before(group)
            headers = {"X-TZ-Offset": self.tz.offset_header(self._clock())}
            started = time.monotonic()
            try:
                self.requests_sent += 1
                response = self._http.request(method, path, params=params, json=json_body, headers=headers)
            except BaseException as exc:
                self.pacer.after(group, None)
                if not isinstance(exc, httpx.TransportError):
                    raise
                self._log(method, path, params, f"error {type(exc).__name__}", started, attempt)
                # A POST is repeated only when it cannot have reached the server.
                safe = method in IDEMPOTENT or isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if safe and attempt < self.retry.attempts:
                    backoff = self._backoff(attempt)
                    if waited + backoff <= self.retry.max_total_wait:
                        waited += self._wait(backoff, f"{describe_transport(exc)}; retrying", attempt)
                        continue
                error = NetworkError(network_message(exc, self._http.base_url, repeatable=safe))
                if not safe:
                    error.hint = (
                        f"Close may have applied this {method} although no answer came back: "
                        "check before repeating it (closetask undo --list shows what was attempted)"
                    )
                raise error from None
            self.pacer.after(group, response.headers)
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
                elif (status in RETRY_STATUSES and method in IDEMPOTENT) or (status == 500 and method in READS):
                    delay = self._backoff(attempt)
                    reason = f"Close answered {status}"
                if delay is not None and waited + delay <= self.retry.max_total_wait:
                    waited += self._wait(delay, reason, attempt)
                    if status == 429:
                        self.pacer.retrying(group)
                    continue
            raise error_from_response(response)

    def _backoff(self, attempt: int) -> float:
        base = self.retry.backoff_base * (2 ** (attempt - 1))
        return min(self.retry.max_single_wait, base * (0.5 + self._random.random()))

    def _wait(self, delay: float, reason: str, attempt: int) -> float:
        if delay >= self.retry.announce_after:
            self._notify(f"{reason}; waiting {delay:.1f} s before retry {attempt}/{self.retry.attempts - 1}")
        self._sleep(delay)
        return delay

    def _log(
        self, method: str, path: str, params: Mapping[str, Any], outcome: str, started: float, attempt: int
    ) -> None:
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

    def paginate_ranges(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        concurrency: int = 1,
        field: str = "date_created",
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of every row matching `params`, oldest `field` first, each row once.

        Close caps `_skip` and `_skip` paging over a set that changes loses rows (close-api.md),
        so the set is cut into ranges: `_order_by=field` and `field__gte` the last value read,
        rows already read dropped. A row leaving the set meanwhile moves later rows earlier,
        which a range bound cannot skip; a row created meanwhile sorts last. With concurrency
        > 1, a batch of pages is asked at once from one bound, each overlapping the one before
        by a row: a page whose first row was not read before means rows moved in between, and
        the batch ends there (the next starts from the last row read). More rows sharing one
        value than half a page are stepped through with `_skip` inside that value, so paging
        always advances.
        """
        base = {k: v for k, v in (params or {}).items() if k not in ("_order_by", "_skip", "_limit")}
        base["_order_by"] = field
        gte = f"{field}__gte"
        bound: Any = base.get(gte)
        fields = str(base.get("_fields") or "").split(",")
        added = bool(base.get("_fields")) and field not in fields  # asked for the bound, not kept
        if added:
            base["_fields"] = ",".join([*fields, field])
        start = 0  # rows to skip at `bound` (only inside a tie larger than half a page)
        # Pages after the first overlap the one before by a row (the bound's own, or the last
        # of the previous page in a batch), so they ask for one more (up to the 1000 Close
        # is known to take): each still brings `page_size` new tasks, as `_skip` paging did.
        limit = page_size + 1 if page_size < MAX_PAGE_SIZE else page_size
        step = limit - 1
        batch = 1  # the first page goes alone: most listings fit in it
        seen: set[str] = set()
        tail: tuple[Any, int] = (bound, 0)  # the last value read, and how many rows in a row had it
        while True:
            count = max(min(batch, concurrency), 1) if step > 0 else 1
            size = limit if seen else page_size  # the first page has no row to overlap
            query = {**base, gte: bound} if bound is not None else base
            pages = self._pages_at(path, query, [start + j * step for j in range(count)], size)
            fresh = 0
            more = True
            for j, (data, has_more) in enumerate(pages):
                first = data[0].get("id") if data and isinstance(data[0], dict) else None
                if j > 0 and first not in seen:
                    break  # rows moved between two pages of the batch: go on from the last row read
                rows = []
                for row in data:
                    row_id = row.get("id") if isinstance(row, dict) else None
                    if isinstance(row_id, str):
                        if row_id in seen:
                            continue
                        seen.add(row_id)
                    rows.append(row)
                    value = row.get(field) if isinstance(row, dict) else None
                    if isinstance(value, str):
                        tail = (value, tail[1] + 1) if value == tail[0] else (value, 1)
                    if added and isinstance(row, dict):
                        row.pop(field, None)
                fresh += len(rows)
                if rows:
                    yield rows
                if not has_more or not data:
                    more = False
                    break
            if not more:
                return
            if tail[0] != bound:
                bound, start = tail[0], 0
            if tail[1] > size // 2:
                start = max(start, tail[1] - 1)  # a tie (a bulk import): step through it, overlapping a row
            if fresh == 0:
                start += max(step, 1)  # nothing new: never ask the same page again
            batch = concurrency

    def _pages_at(
        self, path: str, params: dict[str, Any], skips: list[int], size: int
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """The pages at `skips`, in order; more than one are fetched at once."""
        if len(skips) == 1:
            yield self._page(path, params, skips[0], size)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=len(skips)) as pool:
            futures = [pool.submit(self._page, path, params, skip, size) for skip in skips]
            try:
                for future in futures:
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()
                # Let requests already out finish before the pool shuts down.
                for future in futures:
                    if not future.cancelled():
                        future.exception()

    def _page(self, path: str, params: dict[str, Any], skip: int, size: int) -> tuple[list[dict[str, Any]], bool]:
        body = self.get(path, {**params, "_skip": skip, "_limit": size})
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ApiError(f"unexpected answer from Close for {path}: not a list envelope")
        return body["data"], bool(body.get("has_more"))

    def _pages_serial(
        self, path: str, params: dict[str, Any], page_size: int, limit: int | None
    ) -> Iterator[list[dict[str, Any]]]:
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

    def _pages_concurrent(
        self, path: str, params: dict[str, Any], page_size: int, limit: int | None, concurrency: int
    ) -> Iterator[list[dict[str, Any]]]:
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
