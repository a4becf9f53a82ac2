"""Who a task is for: `me`, `all`, an organization user's email, or a user ID."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from closetask.errors import UsageError

USER_ID = re.compile(r"^user_[A-Za-z0-9]{10,64}$")


def needs_user_list(who: str) -> bool:
    """An email or a user ID is checked against GET /user/ (cached a day); `me` and `all`
    are resolved without it."""
    return "@" in who or bool(USER_ID.match(who))


def knows(users: Sequence[Mapping[str, Any]], who: str) -> bool:
    """Whether `who` (an email or a user ID) is among `users`."""
    lowered = who.lower()
    return any(str(u.get("email") or "").lower() == lowered or u.get("id") == who for u in users)


def resolve_user(
    who: str,
    *,
    me: Mapping[str, Any],
    users: Sequence[Mapping[str, Any]] = (),
    allow_all: bool = False,
    assigning: bool = False,
) -> str | None:
    """Return a user ID (None for `all`), or raise UsageError listing close matches.

    With `assigning`, refuse a user whose `organizations` is `[]`: Close keeps people who
    left an organization in GET /user/ with no organizations, and a task given to them is
    seen by nobody. (Filters still take them: their old tasks are worth finding.)
    """
    user_id = _resolve(who, me=me, users=users, allow_all=allow_all)
    if assigning and user_id is not None:
        left = next((u for u in users if u.get("id") == user_id and u.get("organizations") == []), None)
        if left is not None:
            name = left.get("email") or user_id
            raise UsageError(
                f"{name} is no longer in an organization (Close lists none for them): assign the tasks to a current user"
            )
    return user_id


def _resolve(who: str, *, me: Mapping[str, Any], users: Sequence[Mapping[str, Any]], allow_all: bool) -> str | None:
    text = who.strip()
    lowered = text.lower()
    if lowered == "me":
        return str(me["id"])
    if lowered == "all":
        if allow_all:
            return None
        raise UsageError("'all' is not a user here: expected me, an email, or a user ID")
    if USER_ID.match(text):
        if not users or any(u.get("id") == text for u in users):
            return text
        ids = {str(u.get("id")): str(u.get("email") or "") for u in users if u.get("id")}
        close = difflib.get_close_matches(text, list(ids), n=1, cutoff=0.6)
        suggestion = f"; did you mean {close[0]} ({ids[close[0]]})?" if close else ""
        raise UsageError(
            f"no user {text} in this organization{suggestion}", hint="closetask config refresh renews the users"
        )
    if "@" in text:
        by_email = {str(u.get("email", "")).lower(): u for u in users if u.get("email")}
        if lowered in by_email:
            return str(by_email[lowered]["id"])
        close = difflib.get_close_matches(lowered, list(by_email), n=3, cutoff=0.5)
        suggestion = f"; did you mean {', '.join(close)}?" if close else ""
        known = "" if close else f" (users: {', '.join(sorted(by_email)) or 'none'})"
        raise UsageError(f"no user with email {text!r} in this organization{suggestion}{known}")
    expected = "me, all, an email, or a user ID (user_...)" if allow_all else "me, an email, or a user ID (user_...)"
    raise UsageError(f"invalid user {who!r}: expected {expected}")
