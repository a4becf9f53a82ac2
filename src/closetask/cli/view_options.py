"""The views' option values, typed; imported when a view runs, not at start-up
(`dataclasses` is not free, and `closetask --help` must stay fast)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ViewOptions:
    """The views' option values, typed: a renamed option is a type error, not a KeyError."""

    types: list[str] | None
    assignee: str
    lead: str | None
    from_day: str | None
    to_day: str | None
    after: str | None
    before: str | None
    created_from: str | None
    created_before: str | None
    order: str | None
    limit: int | None
    fields: str | None
    as_json: bool
    jsonl: bool
    ids: bool
    table: bool
    concurrency: int | None
