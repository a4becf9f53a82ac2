"""What Close's answers mean: how long a 429 asks us to wait, the message in an error body,
the typed error for a status, and a network failure said in one line.

Pure functions of an httpx.Response or exception; close/http.py calls them. Parsing the
signals lives here; pacing by them is the client's job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from closetask.errors import (
    ApiError,
    AuthError,
    NotFound,
    RateLimited,
    ServerError,
    ValidationFailed,
)

if TYPE_CHECKING:
    import httpx

    from closetask.close.http import RetryPolicy


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


def rate_budget(headers: Mapping[str, str]) -> tuple[int, int, float] | None:
    """(limit, remaining, reset seconds) that an answer announces: `RateLimit: limit=…,
    remaining=…, reset=…`, else the older `X-Rate-Limit-Limit/-Remaining/-Reset`; None when
    it says nothing usable."""
    values: dict[str, str] = {}
    for part in (headers.get("RateLimit") or "").split(","):
        key, _, value = part.strip().partition("=")
        values[key.strip().lower()] = value.strip()
    limit, remaining, reset = values.get("limit"), values.get("remaining"), values.get("reset")
    if remaining is None:
        limit = headers.get("X-Rate-Limit-Limit")
        remaining = headers.get("X-Rate-Limit-Remaining")
        reset = headers.get("X-Rate-Limit-Reset")
    try:
        left = int(float(remaining or ""))
        wait = _seconds(reset if reset is not None else headers.get("RateLimit-Reset"))
        most = int(float(limit)) if limit else left
    except ValueError:
        return None
    if wait is None or left < 0:
        return None
    return max(most, left), left, wait


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


def describe_transport(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "connection lost"


def network_message(exc: Exception, base_url: Any, *, repeatable: bool = True) -> str:
    import httpx

    host = getattr(base_url, "host", "") or str(base_url)
    if isinstance(exc, httpx.ReadTimeout):
        # "Try again" only when repeating cannot do the change twice (not after a POST).
        again = "try again or raise" if repeatable else "raise"
        return (
            f"{host} did not answer in time (read time-out); {again} `timeout` with `closetask config set timeout 60`"
        )
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out talking to {host}"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {host}: {_short(exc)}"
    return f"network error talking to {host}: {_short(exc) or type(exc).__name__}"


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
