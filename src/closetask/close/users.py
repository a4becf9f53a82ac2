"""Who is asking and who can be given tasks: GET /me/ and GET /user/, slimmed to what
closetask keeps (caches hold these, so they stay small and hold no secrets)."""

from __future__ import annotations

from typing import Any

from closetask.errors import ConfigError

ME = "me/"
USERS = "user/"
USER_FIELDS = ("id", "email", "first_name", "last_name", "organizations")


def fetch_me(client: Any) -> dict[str, Any]:
    """The key's user: id, email, name, and organizations as {id, name}."""
    return slim_me(client.get(ME))


def slim_me(me: Any) -> dict[str, Any]:
    if not isinstance(me, dict) or not me.get("id"):
        raise ConfigError("Close's /me/ answer has no user id; is the base URL right?")
    orgs = me.get("organizations") or []
    return {
        "id": me["id"],
        "email": me.get("email"),
        "name": " ".join(p for p in (me.get("first_name"), me.get("last_name")) if p) or None,
        "organizations": [{"id": o.get("id"), "name": o.get("name")} for o in orgs if isinstance(o, dict)],
    }


def fetch_users(client: Any) -> list[dict[str, Any]]:
    """The organization's users, every page. `organizations` is kept: `[]` marks someone
    who left, who must not be given tasks (tests/recorded/users_list_closex_2017.json)."""
    return [{k: u.get(k) for k in USER_FIELDS} for page in client.paginate(USERS) for u in page if isinstance(u, dict)]
