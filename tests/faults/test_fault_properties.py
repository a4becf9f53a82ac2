"""Property tests for the inputs tests/core and tests/actions do not cover yet: config files
round-trip for generated profiles, lead REFs, and damaged local files (row refs, journal).
(WHEN, task REFs, grouping and ordering have theirs in tests/core and tests/actions.)"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closetask import config
from closetask.core.refs import LEAD_ID, load_rows, parse_lead_ref
from closetask.core.timezone import TimeZone
from closetask.errors import UsageError

profile_names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z")
no_space_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cs")), min_size=1, max_size=40
)
zones = st.sampled_from(["UTC", "America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"])
offsets = st.integers(-48, 56).map(lambda q: q / 4)
hosts = st.from_regex(r"\A[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){1,2}\Z")


@st.composite
def profiles(draw) -> dict:
    profile: dict = {"api_key": draw(no_space_text)}
    optional = {
        "timezone": zones,
        "tz_offset": offsets,
        "base_url": hosts.map(lambda h: f"https://{h}/api/v1/"),
        "user_id": st.from_regex(r"\Auser_[A-Za-z0-9]{22}\Z"),
        "user_email": st.emails(),
        "page_size": st.integers(1, 1000),
        "timeout": st.floats(0.001, 600),
        "concurrency": st.integers(1, 8),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            profile[key] = draw(values)
    return profile


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(profile_names, profiles(), min_size=1, max_size=4), st.data())
def test_config_save_then_load_gives_the_same_data(home, named, data):
    document = {"default_profile": data.draw(st.sampled_from(sorted(named))), "profiles": named}
    path = config.save_file(document)
    assert config.load_file(path) == document
    # ... and resolving each profile gives back its settings.
    for name, profile in named.items():
        settings_ = config.resolve(profile=name, env={}, data=document)
        assert settings_.api_key == profile["api_key"]
        assert settings_.page_size == profile.get("page_size", 100)
        assert settings_.timeout == profile.get("timeout", 30.0)
        assert settings_.concurrency == profile.get("concurrency")  # None: unset, each command picks
        assert settings_.base_url == profile.get("base_url", config.DEFAULT_BASE_URL)
        assert settings_.user_id == profile.get("user_id")
        if "timezone" in profile:
            assert settings_.timezone.key == profile["timezone"]
        elif "tz_offset" in profile:
            assert settings_.timezone.hours == profile["tz_offset"]


class _MeAnswers:
    """Close accepting any key: GET /me/ answers with a user."""

    def transport(self):
        import httpx

        return httpx.MockTransport(lambda request: httpx.Response(200, json={"id": "user_1", "email": "a@b.example"}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(
        ["api_key", "timezone", "tz_offset", "base_url", "page_size", "timeout", "concurrency", "user_email"]
    ),
    st.data(),
)
def test_config_set_then_show_gives_the_value_back(cli, home, monkeypatch, route_clients, key, data):
    monkeypatch.delenv("CLOSETASK_TZ", raising=False)  # the profile's zone, not the environment's, is shown
    value = data.draw(
        {
            "api_key": no_space_text.map(lambda s: f"api_{s}.SECRETKEYPART"),
            "timezone": zones,
            "tz_offset": offsets.map(lambda h: f"{h:g}"),
            "base_url": hosts.map(lambda h: f"https://{h}/api/v1/"),
            "page_size": st.integers(1, 1000).map(str),
            "timeout": st.integers(1, 600).map(str),
            "concurrency": st.integers(1, 8).map(str),
            "user_email": st.emails().filter(lambda s: not s.startswith("-")),
        }[key]
    )
    if key == "api_key":  # read from stdin and checked with Close (GET /me/) first
        route_clients(_MeAnswers())
        result = cli("config", "set", key, "-", input=value)
    else:
        result = cli("config", "set", key, value)
    assert result.exit_code == 0, result.stderr
    stored = config.load_file()["profiles"]["default"][key]
    assert stored == config.validate_setting(key, value)
    shown = json.loads(cli("config", "show", "--json").stdout)
    if key == "api_key":
        assert shown["api_key"] == config.mask_key(value) and value not in json.dumps(shown)
    elif key in ("timezone", "tz_offset"):
        assert shown["timezone"] == TimeZone.parse(value).name
    else:
        assert shown[key] == {"page_size": int, "concurrency": int, "timeout": float}.get(key, str)(value)


# --- lead REFs ----------------------------------------------------------------------------

_alnum = st.text(string.ascii_letters + string.digits, min_size=10, max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    _alnum,
    st.sampled_from(
        [
            "{id}",
            " {id} ",
            "https://app.close.com/lead/{id}/",
            "https://app.close.com/lead/{id}/#task=task_abcdefghijkl",
            "app.close.com/lead/{id}",
            "https://app.close.com/lead/{id}/activity/",
        ]
    ),
)
def test_lead_ids_and_addresses_give_the_lead_id(body, form):
    lead_id = "lead_" + body
    assert parse_lead_ref(form.format(id=lead_id)) == lead_id


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_lead_id_or_a_one_line_usage_error(text):
    try:
        lead_id = parse_lead_ref(text)
    except UsageError as exc:
        assert exc.exit_code == 2 and exc.message.startswith("invalid lead ")
        return
    assert LEAD_ID.match(lead_id) and lead_id.isascii() and "\n" not in lead_id


# --- damaged local files --------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.binary(max_size=200),
        st.builds(
            json.dumps,
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["ids", "command", "saved_at", "x"]), inner, max_size=3)
                ),
                max_leaves=8,
            ),
        ).map(str.encode),
    )
)
def test_a_damaged_row_refs_file_means_no_listing_never_a_crash(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("rows") / "rows.json"
    path.write_bytes(raw)
    rows = load_rows(path)
    assert rows is None or all(isinstance(i, str) for i in rows.ids)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=60),
            st.builds(
                lambda r: json.dumps(r).encode(),
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(["entry", "mark", "undo", "folded", "other"]),
                        "id": st.sampled_from(["a1", "b2"]),
                        "ref": st.sampled_from(["a1", "b2", "zz"]),
                    },
                    optional={
                        "before": st.one_of(
                            st.none(),
                            st.lists(
                                st.dictionaries(st.sampled_from(["id", "fields"]), st.text(max_size=3)), max_size=2
                            ),
                        ),
                        "sent": st.one_of(st.none(), st.text(max_size=3), st.lists(st.text(max_size=3), max_size=2)),
                        "status": st.sampled_from(["applied", "partial", "bogus", None]),
                        "changes": st.one_of(
                            st.none(), st.integers(), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
                        ),
                    },
                ),
            ),
        ),
        max_size=12,
    )
)
def test_a_damaged_journal_costs_only_its_bad_lines(lines):
    from closetask.core.journal import fold, is_undoable

    warnings: list[str] = []
    entries = fold(lines, warn=warnings.append)
    assert len(warnings) <= len(lines)
    for entry in entries:
        is_undoable(entry)
        entry.summary()
        assert all(isinstance(i, str) for i in entry.touched)


@pytest.mark.parametrize(
    "text, message",
    [
        (b"\x00\xff", "is not UTF-8 text"),
        (b"[profiles\n", "is not valid TOML"),
        (b"profiles = 3\n", "[profiles.NAME] must be tables"),
        (b"[profiles.default]\napi_key = 12345\n", "profile default: api_key must be a string in quotes"),
        (
            b'[profiles.default]\napi_key = "k"\npage_size = 0\n',
            "page_size must be a whole number from 1 to 1000, not 0",
        ),
        (b'[profiles.default]\napi_key = "k"\nconcurrency = true\n', "concurrency must be a whole number from 1 to 8"),
        (b'[profiles.default]\napi_key = "k"\ntimeout = -1\n', "timeout must be a number of seconds between 0 and 600"),
        (b'[profiles.default]\napi_key = "k"\ntimeout = "soon"\n', "timeout must be a number, not 'soon'"),
        (b'[profiles.default]\napi_key = "k"\nbase_url = 3\n', "invalid base URL '3'"),
        (b'[profiles.default]\napi_key = "k"\ntimezone = "Mars/Base"\n', "invalid time zone"),
    ],
)
def test_a_hand_edited_config_with_wrong_values_exits_4_with_one_line(cli, home, monkeypatch, text, message):
    monkeypatch.delenv("CLOSETASK_TZ")  # the file's zone is the one in question
    (home / "config.toml").write_bytes(text)
    (home / "config.toml").chmod(0o600)
    for args in (["inbox"], ["config", "show"], ["done", "task_abcdefghijklmnop"]):
        result = cli(*args)
        assert result.exit_code == 4, (args, result.stderr)
        (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
        assert message in line, line
        assert "Traceback" not in result.output and "unexpected error" not in result.stderr
