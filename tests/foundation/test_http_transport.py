"""The HTTP layer at the transport: the exact requests sent, retries and waits, paging, errors."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest

from closetask import __version__
from closetask.close.http import RetryPolicy
from closetask.errors import (
    ApiError,
    AuthError,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    ValidationFailed,
)
from closetask.exitcodes import ExitCode

from fakeclose import basic, respond
from recorded_close import recorded, recorded_text

KEY = "api_4xQ9sEcReT.zz81kEyTaIl"


# --- the request itself --------------------------------------------------------------


def test_get_sends_auth_user_agent_offset_and_params(fake):
    fake.on("GET", "task/", respond(200, {"data": [], "has_more": False}))
    client = fake.client("-8", key=KEY)

    body = client.get(
        "task/", {"view": "inbox", "_type": "all", "is_complete": False, "id__in": ["a", "b"], "skip_me": None}
    )

    assert body == {"data": [], "has_more": False}
    [request] = fake.requests
    assert request.method == "GET"
    assert request.url.scheme == "https" and request.url.host == "api.close.com"
    assert request.url.path == "/api/v1/task/"
    assert list(request.url.params.multi_items()) == [
        ("view", "inbox"),
        ("_type", "all"),
        ("is_complete", "false"),
        ("id__in", "a,b"),
    ]
    assert request.headers["Authorization"] == basic(KEY)
    assert request.headers["User-Agent"] == f"closetask/{__version__}"
    assert request.headers["X-TZ-Offset"] == "-8"
    assert request.headers["Accept"] == "application/json"
    assert request.content == b""
    assert client.requests_sent == 1


def test_post_and_put_send_json_bodies(fake):
    fake.on("POST", "task/", respond(200, {"id": "task_1"}))
    fake.on("PUT", "task/task_1/", respond(200, {"id": "task_1", "is_complete": True}))
    fake.on("DELETE", "task/task_1/", respond(200, {}))
    client = fake.client()

    assert client.post("task/", {"lead_id": "lead_1", "text": "Call"}) == {"id": "task_1"}
    client.put("task/task_1/", {"is_complete": True})
    client.delete("task/task_1/")

    assert [(r.method, r.url.path) for r in fake.requests] == [
        ("POST", "/api/v1/task/"),
        ("PUT", "/api/v1/task/task_1/"),
        ("DELETE", "/api/v1/task/task_1/"),
    ]
    assert fake.bodies() == [{"lead_id": "lead_1", "text": "Call"}, {"is_complete": True}, None]
    assert fake.requests[0].headers["Content-Type"] == "application/json"


def test_empty_success_body_is_none(fake):
    fake.on("DELETE", "task/t/", respond(204))
    assert fake.client().delete("task/t/") is None


@pytest.mark.parametrize(
    ("tz", "header"),
    [("-8", "-8"), ("0", "0"), ("UTC", "0"), ("5.5", "5.5"), ("-2.5", "-2.5"), ("+13", "13"), ("5.75", "5.75")],
)
def test_x_tz_offset_for_fixed_offsets(fake, tz, header):
    fake.on("GET", "me/", respond(200, {"id": "user_1"}))
    fake.client(tz).get("me/")
    assert fake.requests[0].headers["X-TZ-Offset"] == header


@pytest.mark.parametrize(
    ("zone", "moment", "header"),
    [
        ("America/Los_Angeles", datetime(2026, 1, 15, 12, tzinfo=timezone.utc), "-8"),
        ("America/Los_Angeles", datetime(2026, 7, 15, 12, tzinfo=timezone.utc), "-7"),
        ("Asia/Kolkata", datetime(2026, 7, 15, 12, tzinfo=timezone.utc), "5.5"),
        ("America/St_Johns", datetime(2026, 1, 15, 12, tzinfo=timezone.utc), "-3.5"),
        ("America/St_Johns", datetime(2026, 7, 15, 12, tzinfo=timezone.utc), "-2.5"),
        ("Pacific/Auckland", datetime(2026, 1, 15, 12, tzinfo=timezone.utc), "13"),
        ("Pacific/Auckland", datetime(2026, 7, 15, 12, tzinfo=timezone.utc), "12"),
    ],
)
def test_x_tz_offset_follows_daylight_saving(fake, zone, moment, header):
    fake.on("GET", "me/", respond(200, {"id": "user_1"}))
    fake.client(zone, clock=lambda: moment).get("me/")
    assert fake.requests[0].headers["X-TZ-Offset"] == header


def test_x_tz_offset_is_computed_per_request_across_the_switch(fake):
    # 2026-03-08 02:00 local: Los Angeles springs forward from -8 to -7 (10:00 UTC).
    moments = iter(
        [
            datetime(2026, 3, 8, 9, 59, tzinfo=timezone.utc),
            datetime(2026, 3, 8, 10, 0, tzinfo=timezone.utc),
        ]
    )
    fake.on("GET", "me/", respond(200, {"id": "user_1"}))
    client = fake.client("America/Los_Angeles", clock=lambda: next(moments))
    client.get("me/")
    client.get("me/")
    assert [r.headers["X-TZ-Offset"] for r in fake.requests] == ["-8", "-7"]


# --- 429: how long to wait -----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "content", "wait"),
    [
        pytest.param({"Retry-After": "3"}, b"", 3.0, id="retry-after"),
        pytest.param(
            {"Retry-After": "3", "RateLimit": "limit=100, remaining=0, reset=7"}, b"", 3.0, id="retry-after-wins"
        ),
        pytest.param({"RateLimit": "limit=100, remaining=0, reset=2.5"}, b"", 2.5, id="ratelimit-reset"),
        pytest.param(
            {"RateLimit": "limit=100, remaining=0, reset=2.5", "X-Rate-Limit-Reset": "9"},
            b"",
            2.5,
            id="ratelimit-before-old-header",
        ),
        pytest.param(
            {"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "4"},
            b"",
            4.0,
            id="x-rate-limit-reset",
        ),
        pytest.param(
            {},
            json.dumps({"error": {"message": "API call count exceeded", "rate_reset": 0.87}}).encode(),
            0.87,
            id="body-rate-reset",
        ),
        pytest.param({"RateLimit-Reset": "1.5"}, b"", 1.5, id="ratelimit-reset-header-alone"),
        pytest.param(
            {"RateLimit-Reset": "1.5", "X-Rate-Limit-Reset": "9"}, b"", 1.5, id="ratelimit-reset-before-old-header"
        ),
        pytest.param(
            {}, recorded_text("error_429_closex_rate_limit.json").encode(), 0.595956, id="recorded-flat-body-string"
        ),
        pytest.param(
            {},
            json.dumps({"message": "API call count exceeded", "rate_reset": 1.25}).encode(),
            1.25,
            id="flat-body-number",
        ),
        pytest.param(
            {}, json.dumps({"error": {"message": "x", "rate_reset": "0.4"}}).encode(), 0.4, id="nested-body-string"
        ),
        pytest.param(
            {}, json.dumps({"message": "x", "rate_reset": "soon"}).encode(), 2.0, id="flat-body-unparseable-default"
        ),
        pytest.param({}, json.dumps([{"rate_reset": 1}]).encode(), 2.0, id="body-not-an-object-default"),
        pytest.param({}, b"", 2.0, id="empty-body-default"),
        pytest.param({}, b"<html><body>Too Many Requests</body></html>", 2.0, id="html-body-default"),
        pytest.param({}, b'{"error": {"rate_re', 2.0, id="truncated-json-default"),
        pytest.param({}, b"\xff\xfe not utf-8", 2.0, id="binary-body-default"),
        pytest.param({"Retry-After": "soon"}, b"", 2.0, id="unparseable-retry-after"),
        pytest.param({"Retry-After": "900"}, b"", 60.0, id="capped"),
    ],
)
def test_429_waits_as_told_then_retries(fake, headers, content, wait):
    fake.on(
        "GET", "task/", respond(429, headers=headers, content=content), respond(200, {"data": [], "has_more": False})
    )
    client = fake.client()

    assert client.get("task/", {"view": "inbox"}) == {"data": [], "has_more": False}

    assert fake.sleeps == [pytest.approx(wait)]
    assert len(fake.requests) == 2
    first, second = fake.requests
    assert second.url == first.url
    assert second.headers["Authorization"] == first.headers["Authorization"]


def test_an_answer_announcing_no_budget_left_makes_the_next_request_of_its_group_wait(fake):
    """RateLimit is read on every answer: with nothing left, the next request of that endpoint
    group (method and path, IDs folded) waits for the reset instead of drawing a 429; another
    group, and the old X-Rate-Limit-* headers, are read the same way."""
    empty = {"data": [], "has_more": False}
    spent = {"RateLimit": "limit=20, remaining=0, reset=3"}
    fake.on("GET", "task/", respond(200, empty, headers=spent), respond(200, empty), respond(200, empty))
    fake.on("PUT", "task/task_1/", respond(200, {}, headers={"RateLimit": "limit=5, remaining=1, reset=7"}))
    fake.on("PUT", "task/task_2/", respond(200, {}, headers={"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "2"}))
    fake.on("PUT", "task/task_3/", respond(200, {}))
    client = fake.client()

    client.get("task/")
    assert fake.sleeps == []
    client.put("task/task_1/", {})  # another group: not held back by task/'s budget
    assert fake.sleeps == []
    client.get("task/")
    assert fake.sleeps == [pytest.approx(3, abs=0.1)]
    client.get("task/")  # the window is fresh after the reset: no second wait
    client.put("task/task_2/", {})  # the PUT group had one left
    client.put("task/task_3/", {})  # ... and now none (X-Rate-Limit-Remaining: 0)
    assert fake.sleeps == [pytest.approx(3, abs=0.1), pytest.approx(2, abs=0.1)]
    assert fake.notices == []  # short waits are routine, not announced
    assert len(fake.requests) == 6


def test_429_is_retried_for_post_too(fake):
    # A 429 means Close refused the request before doing anything: repeating it is safe.
    fake.on("POST", "task/", respond(429, headers={"Retry-After": "0.5"}), respond(200, {"id": "task_1"}))
    assert fake.client().post("task/", {"text": "x"}) == {"id": "task_1"}
    assert fake.sleeps == [0.5]
    assert fake.bodies() == [{"text": "x"}, {"text": "x"}]


def test_waits_longer_than_a_second_are_announced(fake):
    fake.on(
        "GET",
        "me/",
        respond(429, headers={"Retry-After": "2.5"}),
        respond(429, headers={"Retry-After": "0.8"}),
        respond(200, {"id": "u"}),
    )
    fake.client().get("me/")
    assert fake.sleeps == [2.5, 0.8]
    assert len(fake.notices) == 1
    assert "rate limited" in fake.notices[0] and "2.5 s" in fake.notices[0]


def test_429_that_never_clears_gives_up_after_the_attempts(fake):
    fake.on("GET", "me/", respond(429, headers={"Retry-After": "1"}, body={"error": "slow down"}))
    client = fake.client(retry=RetryPolicy(attempts=4))
    with pytest.raises(RateLimited) as info:
        client.get("me/")
    assert len(fake.requests) == 4
    assert fake.sleeps == [1.0, 1.0, 1.0]
    assert info.value.exit_code == ExitCode.NETWORK == 5
    assert info.value.status == 429
    assert "slow down" in info.value.message


def test_recorded_flat_429_waits_as_told_and_shows_closes_message(fake):
    # Close's recorded flat 429 (rate_reset a string) with its headers stripped by a proxy:
    # two of them cost the 0.6 s each that Close asked for, not 2 s + 4 s of back-off, and
    # when the retries run out the user reads Close's own message.
    body = recorded_text("error_429_closex_rate_limit.json").encode()
    fake.on("GET", "me/", respond(429, content=body))
    client = fake.client(retry=RetryPolicy(attempts=3))
    with pytest.raises(RateLimited) as info:
        client.get("me/")
    assert fake.sleeps == [pytest.approx(0.595956)] * 2
    assert recorded("error_429_closex_rate_limit.json")["message"] in info.value.message
    assert info.value.message == "Close answered 429: API call count exceeded for this period"


def test_retries_are_bounded_by_total_wait(fake):
    fake.on("GET", "me/", respond(429, headers={"Retry-After": "50"}))
    client = fake.client(retry=RetryPolicy(attempts=10, max_total_wait=120))
    with pytest.raises(RateLimited):
        client.get("me/")
    # 50 + 50 fits in 120 s, a third 50 would not: give up rather than sleep past the budget.
    assert fake.sleeps == [50.0, 50.0]
    assert len(fake.requests) == 3


def test_default_429_wait_grows(fake):
    fake.on("GET", "me/", respond(429), respond(429), respond(200, {"id": "u"}))
    fake.client().get("me/")
    assert fake.sleeps == [2.0, 4.0]


# --- 5xx and connection errors -------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("status", [502, 503, 504])
def test_idempotent_requests_retry_5xx_then_succeed(fake, method, status):
    fake.on(
        method,
        "task/t1/",
        respond(status),
        respond(status, content=b"<html>bad gateway</html>"),
        respond(200, {"id": "t1"}),
    )
    client = fake.client()
    body = {"is_complete": True} if method == "PUT" else None
    assert client.request(method, "task/t1/", json_body=body) == {"id": "t1"}
    assert len(fake.requests) == 3
    assert fake.bodies() == [body] * 3
    # Exponential backoff with jitter: 0.5 s then 1 s, each times 0.5..1.5.
    first, second = fake.sleeps
    assert 0.25 <= first <= 0.75
    assert 0.5 <= second <= 1.5


def test_backoff_doubles_and_stays_bounded(fake):
    fake.on("GET", "me/", respond(503))
    client = fake.client(retry=RetryPolicy(attempts=6, backoff_base=1.0, max_single_wait=5.0, max_total_wait=1000))
    with pytest.raises(ServerError):
        client.get("me/")
    assert len(fake.requests) == 6
    for n, wait in enumerate(fake.sleeps):
        assert min(5.0, 0.5 * 2**n) <= wait <= min(5.0, 1.5 * 2**n)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_post_is_not_retried_after_a_5xx(fake, status):
    # The task may have been created before the gateway gave up: a retry could create it twice.
    fake.on("POST", "task/", respond(status), respond(200, {"id": "task_2"}))
    with pytest.raises(ServerError) as info:
        fake.client().post("task/", {"text": "Call"})
    assert len(fake.requests) == 1
    assert fake.sleeps == []
    assert info.value.status == status
    assert info.value.exit_code == ExitCode.ERROR


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.ReadError("reset"),
    ],
    ids=["read-timeout", "remote-protocol", "read-error"],
)
def test_post_is_not_retried_when_it_may_have_arrived(fake, exc):
    fake.on("POST", "task/", exc, respond(200, {"id": "task_2"}))
    with pytest.raises(NetworkError) as info:
        fake.client().post("task/", {"text": "Call"})
    assert len(fake.requests) == 1
    assert info.value.exit_code == ExitCode.NETWORK
    assert "api.close.com" in info.value.message


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("connect timed out")],
    ids=["connect", "connect-timeout"],
)
def test_post_is_retried_when_it_cannot_have_arrived(fake, exc):
    fake.on("POST", "task/", exc, respond(200, {"id": "task_2"}))
    assert fake.client().post("task/", {"text": "Call"}) == {"id": "task_2"}
    assert len(fake.requests) == 2
    assert fake.bodies() == [{"text": "Call"}, {"text": "Call"}]


def test_get_retries_connection_errors_with_backoff(fake):
    fake.on(
        "GET",
        "me/",
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("closed"),
        respond(200, {"id": "u"}),
    )
    assert fake.client().get("me/") == {"id": "u"}
    assert len(fake.requests) == 4
    assert len(fake.sleeps) == 3
    for n, wait in enumerate(fake.sleeps):
        assert 0.25 * 2**n <= wait <= 0.75 * 2**n


def test_connection_errors_that_persist_become_network_error(fake):
    fake.on("GET", "me/", httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(NetworkError) as info:
        fake.client().get("me/")
    assert len(fake.requests) == RetryPolicy().attempts
    assert info.value.exit_code == 5
    assert info.value.message == "could not connect to api.close.com: [Errno 111] Connection refused"


# --- paging --------------------------------------------------------------------------


def paged(items: list[dict]):
    """A task list endpoint over `items` honouring _skip / _limit like Close does."""

    def answer(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["_skip"])
        limit = int(request.url.params["_limit"])
        page = items[skip : skip + limit]
        return respond(200, {"data": page, "has_more": skip + limit < len(items)})

    return answer


ITEMS = [{"id": f"task_{n}"} for n in range(10)]


def sent_pages(fake) -> list[tuple[int, int]]:
    return [(int(r.url.params["_skip"]), int(r.url.params["_limit"])) for r in fake.requests]


def test_paging_follows_has_more(fake):
    fake.on("GET", "task/", paged(ITEMS))
    pages = list(fake.client().paginate("task/", {"view": "inbox", "_fields": "id,date"}, page_size=4))
    assert pages == [ITEMS[0:4], ITEMS[4:8], ITEMS[8:10]]
    assert sent_pages(fake) == [(0, 4), (4, 4), (8, 4)]
    for request in fake.requests:
        assert request.url.params["_fields"] == "id,date"
        assert request.url.params["view"] == "inbox"


def test_paging_exact_multiple_stops_on_has_more_false(fake):
    fake.on("GET", "task/", paged(ITEMS))
    pages = list(fake.client().paginate("task/", page_size=5))
    assert pages == [ITEMS[0:5], ITEMS[5:10]]
    assert sent_pages(fake) == [(0, 5), (5, 5)]


def test_paging_default_page_size_is_100(fake):
    fake.on("GET", "task/", paged(ITEMS))
    assert list(fake.client().paginate("task/")) == [ITEMS]
    assert sent_pages(fake) == [(0, 100)]


def test_paging_limit_stops_early(fake):
    fake.on("GET", "task/", paged(ITEMS))
    pages = list(fake.client().paginate("task/", page_size=3, limit=5))
    assert [t for p in pages for t in p] == ITEMS[:5]
    # The last page asks only for what is still wanted.
    assert sent_pages(fake) == [(0, 3), (3, 2)]


def test_paging_stops_on_an_empty_page(fake):
    fake.on("GET", "task/", respond(200, {"data": [], "has_more": True}))
    assert list(fake.client().paginate("task/")) == []
    assert len(fake.requests) == 1


def test_paging_rejects_an_answer_that_is_not_a_list(fake):
    fake.on("GET", "task/", respond(200, {"id": "task_1"}))
    with pytest.raises(ApiError, match="not a list envelope"):
        list(fake.client().paginate("task/"))


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5, 10, 11])
@pytest.mark.parametrize("limit", [None, 1, 7, 10, 25])
def test_concurrent_paging_yields_every_item_once_in_order(fake, page_size, limit):
    fake.on("GET", "task/", paged(ITEMS))
    pages = list(fake.client().paginate("task/", {"_fields": "id"}, page_size=page_size, limit=limit, concurrency=3))
    expected = ITEMS if limit is None else ITEMS[:limit]
    assert [t for p in pages for t in p] == expected
    assert all(p for p in pages)
    sent = sent_pages(fake)
    # Each window is asked for once; speculative pages stop within `concurrency` of the end.
    assert len(set(sent)) == len(sent)
    assert all(r.url.params["_fields"] == "id" for r in fake.requests)
    assert len(sent) <= -(-len(expected) // page_size) + 3


@pytest.mark.parametrize("count", [0, 1, 3, 4])
def test_concurrent_paging_of_a_single_page_costs_one_request(fake, count):
    """The first page goes alone, so a listing that fits in one page never fetches ahead."""
    fake.on("GET", "task/", paged(ITEMS[:count]))
    pages = list(fake.client().paginate("task/", page_size=4, concurrency=4))
    assert [t for p in pages for t in p] == ITEMS[:count]
    assert sent_pages(fake) == [(0, 4)]


# --- errors --------------------------------------------------------------------------


def test_400_carries_closes_message_and_field_errors(fake):
    fake.on(
        "POST",
        "task/",
        respond(
            400,
            {
                "errors": ["Date is in the wrong format."],
                "field-errors": {"lead": "Object does not exist.", "date": "Invalid date."},
            },
        ),
    )
    with pytest.raises(ValidationFailed) as info:
        fake.client().post("task/", {"lead_id": "lead_x"})
    err = info.value
    assert err.status == 400
    assert err.field_errors == {"lead": "Object does not exist.", "date": "Invalid date."}
    assert (
        err.message
        == "Close answered 400: Date is in the wrong format.; lead: Object does not exist.; date: Invalid date."
    )
    assert err.exit_code == ExitCode.ERROR
    assert len(fake.requests) == 1


def test_401_is_an_auth_error_exit_4(fake):
    fake.on(
        "GET",
        "me/",
        respond(401, {"error": "The server could not verify that you are authorized to access the URL requested."}),
    )
    with pytest.raises(AuthError) as info:
        fake.client(key=KEY).get("me/")
    assert info.value.exit_code == ExitCode.CONFIG == 4
    assert "could not verify" in info.value.message
    assert info.value.hint and "closetask config init" in info.value.hint
    assert KEY not in info.value.message and KEY not in info.value.hint
    assert len(fake.requests) == 1


def test_401_without_a_body(fake):
    fake.on("GET", "me/", respond(401))
    with pytest.raises(AuthError, match="the API key was rejected"):
        fake.client().get("me/")


@pytest.mark.parametrize(
    "body",
    [
        {"error": "Empty query: Task matching query does not exist."},
        {"errors": ["Empty query: Task matching query does not exist."]},
    ],
)
def test_404_is_not_found_with_closes_message(fake, body):
    fake.on("GET", "task/task_x/", respond(404, body))
    with pytest.raises(NotFound) as info:
        fake.client().get("task/task_x/")
    assert info.value.message == "Close answered 404: Empty query: Task matching query does not exist."
    assert info.value.status == 404
    assert info.value.exit_code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Close answered 500 (Internal Server Error, empty body)"),
        (
            b"<!DOCTYPE html><html><head><title>502</title></head></html>",
            "Close answered 500: an HTML page (a proxy?) instead of Close's JSON",
        ),
        (b'{"error": "Internal serv', "Close answered 500: a body that is not JSON instead of Close's JSON"),
        (b'{"error": "Internal server error"}', "Close answered 500: Internal server error"),
    ],
    ids=["empty", "html", "truncated-json", "json"],
)
def test_5xx_bodies_of_every_shape_become_server_error(fake, content, message):
    fake.on("GET", "me/", respond(500, content=content))
    with pytest.raises(ServerError) as info:
        fake.client().get("me/")
    assert info.value.message == message
    assert info.value.status == 500
    # A read is repeated on 500 (it changes nothing); it never cleared here: 5 attempts.
    assert len(fake.requests) == 5


def test_a_get_answered_500_is_retried_and_succeeds(fake):
    fake.on("GET", "task/", respond(500), respond(200, {"data": [], "has_more": False}))
    assert fake.client().get("task/") == {"data": [], "has_more": False}
    assert len(fake.requests) == 2


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_a_change_answered_500_is_not_repeated(fake, method):
    """A 500 may come after the change was made: only reads repeat it."""
    fake.on(method, "task/t1/", respond(500), respond(200, {"id": "t1"}))
    with pytest.raises(ServerError):
        fake.client().request(method, "task/t1/", json_body={"is_complete": True})
    assert len(fake.requests) == 1


def test_503_that_never_clears_names_the_status(fake):
    fake.on("GET", "me/", respond(503, content=b"<html>Service Unavailable</html>"))
    with pytest.raises(ServerError) as info:
        fake.client().get("me/")
    assert len(fake.requests) == 5
    assert info.value.message.startswith("Close answered 503")


def test_success_with_a_body_that_is_not_json(fake):
    fake.on("GET", "me/", respond(200, content=b"<html>captive portal</html>"))
    with pytest.raises(ApiError, match="not JSON"):
        fake.client().get("me/")


# --- debug log -----------------------------------------------------------------------


def test_debug_logs_method_url_status_time_and_retries_never_the_key(fake):
    lines: list[str] = []
    fake.on("GET", "task/", respond(503), respond(200, {"data": [], "has_more": False}))
    client = fake.client(key=KEY, debug=lines.append)
    client.get("task/", {"view": "inbox", "_limit": 5})

    assert len(lines) == 2
    assert lines[0].startswith("GET https://api.close.com/api/v1/task/?view=inbox&_limit=5 -> 503 in ")
    assert lines[0].endswith(" ms")
    assert lines[1].startswith("GET https://api.close.com/api/v1/task/?view=inbox&_limit=5 -> 200 in ")
    assert lines[1].endswith(" ms (attempt 2)")
    text = "\n".join(lines + fake.notices)
    assert KEY not in text
    assert basic(KEY).split()[1] not in text
    assert KEY[-6:] not in text


def test_debug_logs_transport_errors(fake):
    lines: list[str] = []
    fake.on("GET", "me/", httpx.ConnectError("refused"), respond(200, {"id": "u"}))
    fake.client(debug=lines.append).get("me/")
    assert lines[0].startswith("GET https://api.close.com/api/v1/me/ -> error ConnectError in ")
