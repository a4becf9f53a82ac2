"""bulk's options: typed (BulkOptions), checked before any request (check -> Checked),
resolved into a core query and the fields to set (resolve), and written back as the words
the journal and the lock file record (words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as date_type
from typing import Any

from closetask.cli.options import BULK_DEFAULT_MAX as DEFAULT_MAX


@dataclass(frozen=True)
class BulkOptions:
    """bulk's option values, typed: a renamed option is a type error, not a KeyError."""

    types: list[str] | None
    assignee: str | None
    lead: str | None
    created_from: str | None
    created_before: str | None
    view: str | None
    from_day: str | None
    to_day: str | None
    after: str | None
    before: str | None
    ids: list[str] | None
    all_: bool
    complete: bool
    reopen: bool
    assign_to: str | None
    date: str | None
    dry_run: bool
    yes: bool
    max_: int
    json_out: bool
    concurrency: int | None


@dataclass(frozen=True)
class Checked:
    """What _check parsed, before any request: the view, the date range, the new date, the IDs."""

    view: str | None
    from_day: date_type | None
    to_day: date_type | None
    date: str | None
    ids: tuple[str, ...] | None


def check(app: Any, o: BulkOptions) -> Checked:
    """Check every option without a request (UsageError, exit 2): parsed days, date, IDs."""
    from closetask.cli import task_changes as tc
    from closetask.cli.filters import day_range
    from closetask.core.query import VIEWS, parse_types
    from closetask.core.refs import parse_lead_ref
    from closetask.core.when import parse_day
    from closetask.errors import UsageError

    if o.complete and o.reopen:
        raise UsageError("--complete and --reopen cannot be combined")
    if not (o.complete or o.reopen or o.assign_to is not None or o.date is not None):
        raise UsageError("nothing to change: pass --complete, --reopen, --assign-to WHO and/or --date WHEN")
    view = o.view.strip().lower() if o.view is not None else None
    if view is not None and view not in VIEWS:
        raise UsageError(f"unknown view {o.view!r}: use one of {', '.join(VIEWS)}")
    if o.reopen and view in ("inbox", "future"):
        raise UsageError(f"--reopen selects complete tasks, and the {view} holds none: use --view archive or no --view")
    if o.complete and view == "archive":
        raise UsageError("--complete selects incomplete tasks, and the archive holds none")
    narrowed = (
        parse_types(o.types) is not None
        or any(
            getattr(o, k) is not None
            for k in ("lead", "created_from", "created_before", "from_day", "to_day", "after", "before")
        )
        or view is not None
        or bool(o.ids)
    )
    if not narrowed and not o.all_:
        raise UsageError(
            "bulk needs a filter (--type, --lead, --from/--to, --after/--before, --created-from/--created-before, "
            "--view, --id), or --all to change every task the defaults select",
            hint="try --dry-run first to see what would change",
        )
    now, tz = app.now(), app.tz

    def day(key: str, flag: str) -> Any:
        try:
            return parse_day(getattr(o, key), now=now, tz=tz) if getattr(o, key) is not None else None
        except UsageError as exc:
            raise UsageError(f"{flag}: {exc.message}") from None

    from_day, to_day = day_range(
        day("from_day", "--from"), day("to_day", "--to"), day("after", "--after"), day("before", "--before")
    )
    (
        day("created_from", "--created-from"),
        day("created_before", "--created-before"),
    )  # checked here too: build_query runs under the lock
    if o.lead is not None:
        parse_lead_ref(o.lead)
    new_date = None
    if o.date is not None:
        # A day alone makes every task date-only here, timed ones too: bulk sends one body
        # per chunk of 100 IDs, and keeping each task's time would split the chunks.
        new_date = tc.parse_when(app, o.date, flag="--date").to_api()
    task_ids = tuple(tc.task_ids(app, o.ids)) if o.ids else None
    if not o.dry_run:
        tc.require_yes(app, yes=o.yes, what="bulk")
    return Checked(view=view, from_day=from_day, to_day=to_day, date=new_date, ids=task_ids)


def resolve(app: Any, o: BulkOptions, checked: Checked) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """The query, the fields to set and how to name them; may cost GET /me/ or /user/
    (both cached) to resolve `me` and emails. build_query checks the remaining options first."""
    from dataclasses import replace

    from closetask.cli.filters import build_query

    view, task_ids = checked.view, checked.ids
    is_complete = None if view is not None else bool(o.reopen)
    assignee = o.assignee if o.assignee is not None else ("all" if task_ids else "me")
    query = build_query(
        app,
        view=view,
        types=o.types,
        assignee=assignee,
        lead=o.lead,
        created_from=o.created_from,
        created_before=o.created_before,
        ids=task_ids,
        is_complete=is_complete,
    )
    query = replace(query, from_day=checked.from_day, to_day=checked.to_day)
    changes: dict[str, Any] = {}
    labels: dict[str, str] = {}
    if o.complete or o.reopen:
        changes["is_complete"] = bool(o.complete)
    if o.assign_to is not None:
        changes["assigned_to"] = app.resolve_user(o.assign_to, assigning=True)
        labels["assignee"] = o.assign_to
    if checked.date is not None:
        from closetask.render.task_detail import when_text

        changes["date"] = checked.date
        labels["when"] = when_text(checked.date, app.tz)
    return query, changes, labels


def words(o: BulkOptions) -> list[str]:
    """The command as the person typed it (options in a fixed order), for the journal and
    the lock file: only their own words, never a setting or the key."""
    words: list[str] = []
    for flag, key in (
        ("--type", "types"),
        ("--assignee", "assignee"),
        ("--lead", "lead"),
        ("--created-from", "created_from"),
        ("--created-before", "created_before"),
        ("--view", "view"),
        ("--from", "from_day"),
        ("--to", "to_day"),
        ("--before", "before"),
        ("--after", "after"),
        ("--id", "ids"),
    ):
        value = getattr(o, key)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            words += [flag, str(item)]
    words += [
        flag for flag, key in (("--all", "all_"), ("--complete", "complete"), ("--reopen", "reopen")) if getattr(o, key)
    ]
    for flag, key in (("--assign-to", "assign_to"), ("--date", "date")):
        if getattr(o, key) is not None:
            words += [flag, str(getattr(o, key))]
    if o.max_ != DEFAULT_MAX:
        words += ["--max", str(o.max_)]
    if o.yes:
        words.append("--yes")
    return words
