"""Fault injection, rate limiting and the request log (the server side of issue 9's suite)."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from closetask.sandbox import app as app_module
from closetask.sandbox.app import SandboxApp
from closetask.sandbox.faults import ConnectionDropped, Faults, RateLimiter, parse_window

from sandbox_helpers import NOW, client_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited(store, limit: int, style: str = "retry-after") -> tuple[httpx.Client, FakeClock]:
    app = SandboxApp(store, faults=Faults(rate_limit=limit, rate_limit_style=style), clock=lambda: NOW)
    clock = FakeClock()
    app.limiter = RateLimiter(limit, clock=clock)  # deterministic: no real time involved
    return client_for(app, store.api_key), clock


def test_every_response_carries_ratelimit_headers(api):
    c = api()
    for r in (c.get("task/"), c.get("task/nope/"), c.get("me/")):
        assert r.headers["RateLimit"].startswith("limit=")
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(r.headers)


def test_remaining_counts_down(store):
    c, clock = limited(store, 3)
    assert [c.get("me/").headers["RateLimit"] for _ in range(3)] == [
        "limit=3, remaining=2, reset=1",
        "limit=3, remaining=1, reset=1",
        "limit=3, remaining=0, reset=1",
    ]


def test_429_with_retry_after(store):
    c, clock = limited(store, 2)
    assert [c.get("me/").status_code for _ in range(2)] == [200, 200]
    clock.now += 0.25
    r = c.get("me/")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert r.headers["RateLimit"] == "limit=2, remaining=0, reset=1"
    assert r.json() == {"error": {"message": "API call count exceeded for this period", "rate_reset": 0.75}}
    clock.now += 0.76  # the window slid past the first two requests
    assert c.get("me/").status_code == 200


def test_429_with_only_ratelimit(store):
    c, _ = limited(store, 1, "ratelimit")
    c.get("me/")
    r = c.get("me/")
    assert r.status_code == 429 and "retry-after" not in r.headers
    assert r.headers["RateLimit"] == "limit=1, remaining=0, reset=1"


def test_429_bare(store):
    c, _ = limited(store, 1, "bare")
    c.get("me/")
    r = c.get("me/")
    assert r.status_code == 429 and r.content == b""
    assert not {"retry-after", "ratelimit", "content-type", "x-rate-limit-reset"} & set(r.headers)


def test_429_flat_as_recorded(store):
    """The older flat body Close sent (tests/recorded/error_429_closex_rate_limit.json), with
    rate_reset a string; no rate-limit headers, so the body alone says when."""
    from recorded_close import recorded

    c, clock = limited(store, 1, "flat")
    c.get("me/")
    clock.now += 0.25
    r = c.get("me/")
    assert r.status_code == 429 and r.headers["Content-Type"] == "application/json"
    assert not {"retry-after", "ratelimit", "x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} & set(
        r.headers
    )
    body = r.json()
    assert list(body) == list(recorded("error_429_closex_rate_limit.json"))
    assert body["message"] == "API call count exceeded for this period"
    assert body["rate_reset"] == "0.750000" and body["rate_limit"] == 1 and body["rate_limit_type"] == "key"


def test_a_refused_request_changes_nothing(store):
    c, _ = limited(store, 1)
    first, task = c.get("task/", params={"view": "inbox"}).json()["data"][:2]
    # The limit is per endpoint group, as Close's: one PUT of a task goes, the next is refused.
    assert c.put(f"task/{first['id']}/", json={"is_complete": True}).status_code == 200
    assert c.put(f"task/{task['id']}/", json={"is_complete": True}).status_code == 429
    assert store.task(task["id"])["is_complete"] is False


# --- 5xx and broken answers ---------------------------------------------------------------


def failing(store, **faults) -> httpx.Client:
    return client_for(SandboxApp(store, faults=Faults(**faults), clock=lambda: NOW), store.api_key)


@pytest.mark.parametrize("mode", ["500", "502", "503", "504"])
def test_status_modes(store, mode):
    r = failing(store, fail_rate=1.0, fail_mode=mode).get("task/")
    assert r.status_code == int(mode) and "error" in r.json()
    assert "ratelimit" not in r.headers  # the proxy answered, not the API


def test_html_empty_and_truncated(store):
    r = failing(store, fail_rate=1.0, fail_mode="html").get("task/")
    assert r.status_code == 502 and r.headers["content-type"] == "text/html" and "<html>" in r.text
    r = failing(store, fail_rate=1.0, fail_mode="empty").get("task/")
    assert r.status_code == 503 and r.content == b""
    r = failing(store, fail_rate=1.0, fail_mode="truncated").get("task/")
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_reset_drops_before_applying(store):
    c = client_for(SandboxApp(store, clock=lambda: NOW), store.api_key)
    task = c.get("task/", params={"view": "inbox"}).json()["data"][0]
    broken = failing(store, fail_rate=1.0, fail_mode="reset")
    with pytest.raises(ConnectionDropped):
        broken.put(f"task/{task['id']}/", json={"is_complete": True})
    assert store.task(task["id"])["is_complete"] is False


def test_reset_after_applies_then_drops(store):
    c = client_for(SandboxApp(store, clock=lambda: NOW), store.api_key)
    task = c.get("task/", params={"view": "inbox"}).json()["data"][0]
    broken = failing(store, fail_rate=1.0, fail_mode="reset-after", fail_method="PUT")
    assert broken.get(f"task/{task['id']}/").status_code == 200  # GETs are not eligible
    with pytest.raises(ConnectionDropped):
        broken.put(f"task/{task['id']}/", json={"is_complete": True})
    assert store.task(task["id"])["is_complete"] is True


def test_failed_requests_are_not_applied(store):
    c = client_for(SandboxApp(store, clock=lambda: NOW), store.api_key)
    ids = [t["id"] for t in c.get("task/", params={"view": "inbox"}).json()["data"]]
    broken = failing(store, fail_rate=1.0, fail_method="put")
    r = broken.put("task/", params={"id__in": ",".join(ids)}, json={"is_complete": True})
    assert r.status_code == 503
    assert not any(store.task(i)["is_complete"] for i in ids)


def test_fail_window_counts_eligible_requests(store):
    log = io.StringIO()
    app = SandboxApp(store, faults=Faults(fail_window=(2, 3), fail_method="PUT"), log=log, clock=lambda: NOW)
    c = client_for(app, store.api_key)
    ids = [t["id"] for t in c.get("task/", params={"view": "inbox"}).json()["data"]][:5]
    statuses = []
    for task_id in ids:
        c.get(f"task/{task_id}/")  # GETs in between do not count
        statuses.append(c.put(f"task/{task_id}/", json={"is_complete": True}).status_code)
    assert statuses == [200, 503, 503, 200, 200]
    assert [store.task(i)["is_complete"] for i in ids] == [True, False, False, True, True]
    puts = [line for line in log.getvalue().splitlines() if line.startswith("PUT ")]
    assert [line.rsplit(" ", 1)[1] for line in puts] == ["200", "503", "503", "200", "200"]


def test_fail_rate_is_deterministic_per_seed(store):
    def pattern(seed: int) -> list[int]:
        c = failing(store, fail_rate=0.3, seed=seed)
        return [c.get("me/").status_code for _ in range(40)]

    first = pattern(7)
    assert first == pattern(7)
    assert 503 in first and 200 in first
    assert first != pattern(8)


def test_latency_sleeps_before_each_answer(store, monkeypatch):
    slept = []
    monkeypatch.setattr(app_module.time, "sleep", slept.append)
    c = failing(store, latency_ms=20)
    c.get("me/")
    c.get("task/")
    assert slept == [0.02, 0.02]


@pytest.mark.parametrize(
    "bad",
    [
        dict(fail_rate=1.5),
        dict(fail_mode="418"),
        dict(latency_ms=-1),
        dict(rate_limit=0),
        dict(rate_limit_style="polite"),
        dict(fail_window=(3, 2)),
    ],
)
def test_bad_fault_settings(bad):
    with pytest.raises(ValueError):
        Faults(**bad)


@pytest.mark.parametrize("raw", ["3", "a:b", "0:2", "5:4", ""])
def test_bad_windows(raw):
    with pytest.raises(ValueError):
        parse_window(raw)


def test_log_lines(store):
    log = io.StringIO()
    c = client_for(SandboxApp(store, log=log, clock=lambda: NOW), store.api_key)
    task = c.get("task/", params={"view": "inbox", "_limit": 2}).json()["data"][0]
    c.put(f"task/{task['id']}/", json={"is_complete": True})
    c.put("task/", params={"id__in": task["id"]}, json={"is_complete": False})
    c.get("nope/")
    client_for(SandboxApp(store, log=log), None).get("me/")
    assert log.getvalue().splitlines() == [
        "GET /api/v1/task/?view=inbox&_limit=2 200",
        f"PUT /api/v1/task/{task['id']}/ 200",
        f"PUT /api/v1/task/?id__in={task['id']} 200",
        "GET /api/v1/nope/ 404",
        "GET /api/v1/me/ 401",
    ]


def test_log_marks_dropped_connections(store):
    log = io.StringIO()
    c = client_for(SandboxApp(store, log=log, faults=Faults(fail_rate=1.0, fail_mode="reset")), store.api_key)
    with pytest.raises(ConnectionDropped):
        c.get("me/")
    assert log.getvalue() == "GET /api/v1/me/ RESET\n"
