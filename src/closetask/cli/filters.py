"""The task filter and output options shared by the views (inbox, future, archive) and bulk,
and `build_query()`, which turns their values into a core TaskQuery.

Each option is an `Annotated` alias: a command declares `types: TypeOpt = None` and gets the
same flag, help and completion as every other command.

The flag vocabulary, one meaning per flag across commands: day bounds are `--from`/`--to`
(that day included) and `--after`/`--before` (that day excluded), the same in the views and
bulk; `--created-from`/`--created-before` likewise for the creation day; a person who gets
tasks is `--assign-to`/`-a` (add, reassign, bulk); `-t` is `--type`, `-l` `--lead`, `-d`
`--date`. Old spellings (`reassign --to/-t`, `--created-after`, `undo -l`) still work, hidden.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from closetask.cli import options as opt

if TYPE_CHECKING:
    from closetask.core.query import TaskQuery
    from closetask.session import Session

_DAY_HELP = "today, tomorrow, yesterday, a weekday, +3d/-2w, or 2026-12-04"

TypeOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--type",
        "-t",
        metavar="TYPE",
        help=(
            "Task types: repeat or comma-separate (-t missed_call,voicemail). lead, incoming_email, "
            "email_followup, missed_call, answered_detached_call, voicemail, opportunity_due, "
            "incoming_sms, outgoing_call, or all (the default)."
        ),
        autocompletion=opt.complete_types,
        show_default=False,
    ),
]
AssigneeOpt = Annotated[
    str,
    typer.Option(
        "--assignee",
        metavar="WHO",
        help="Whose tasks: me, all, a user's email, or a user ID (user_...).",
        autocompletion=opt.complete_assignee,
    ),
]
LeadOpt = Annotated[
    Optional[str],
    typer.Option(
        "--lead",
        "-l",
        metavar="LEAD",
        help="Only this lead's tasks: a lead ID or a Close lead address.",
        show_default=False,
    ),
]
FromOpt = Annotated[
    Optional[str],
    typer.Option("--from", metavar="WHEN", help=f"Tasks on or after this local day: {_DAY_HELP}.", show_default=False),
]
ToOpt = Annotated[
    Optional[str],
    typer.Option("--to", metavar="WHEN", help="Tasks on or before this local day.", show_default=False),
]
AfterOpt = Annotated[
    Optional[str],
    typer.Option(
        "--after", metavar="WHEN", help="Tasks after this local day (the day itself excluded).", show_default=False
    ),
]
BeforeOpt = Annotated[
    Optional[str],
    typer.Option(
        "--before", metavar="WHEN", help="Tasks before this local day (-14d: older than two weeks).", show_default=False
    ),
]
CreatedFromOpt = Annotated[
    Optional[str],
    typer.Option(
        "--created-from", metavar="WHEN", help="Tasks created on or after this local day.", show_default=False
    ),
]
CreatedAfterAlias = Annotated[
    Optional[str],
    typer.Option(
        "--created-after",
        metavar="WHEN",
        hidden=True,
        help="Old spelling of --created-from (same meaning).",
        show_default=False,
    ),
]
CreatedBeforeOpt = Annotated[
    Optional[str],
    typer.Option(
        "--created-before", metavar="WHEN", help="Tasks created before this local day began.", show_default=False
    ),
]
OrderOpt = Annotated[
    Optional[str],
    typer.Option(
        "--order",
        metavar="ORDER",
        help="date, -date, created or -created (newest first with -). Default: date; archive: -date.",
        autocompletion=opt.complete_order,
        show_default=False,
    ),
]
LimitOpt = Annotated[
    Optional[int],
    typer.Option(
        "--limit",
        metavar="N",
        min=1,
        help="Only the first N rows of the listing (--jsonl: the first N Close sends).",
        show_default=False,
    ),
]
FieldsOpt = Annotated[
    Optional[str],
    typer.Option(
        "--fields",
        metavar="A,B",
        help="With --json/--jsonl: ask Close only for these fields (_fields) and print only them.",
        show_default=False,
    ),
]
JsonListOpt = Annotated[
    bool,
    typer.Option("--json", help="Print a JSON array of Close's task objects, in the table's order."),
]
JsonlOpt = Annotated[
    bool,
    typer.Option("--jsonl", help="Print one JSON object per line as pages arrive (server order)."),
]
IdsOpt = Annotated[bool, typer.Option("--ids", help="Print one task ID per line, in the table's order.")]
TableOpt = Annotated[
    bool,
    typer.Option(
        "--table", help="Print the table even into a pipe (a pager); its row numbers count for this terminal."
    ),
]
ConcurrencyOpt = Annotated[
    Optional[int],
    typer.Option(
        "--concurrency",
        metavar="N",
        min=1,
        max=8,  # as the profile's `concurrency`; the client keeps 10 connections
        help="Fetch up to N pages at once (default: the profile's concurrency, else 1; bulk selects 4 pages and sends 2 chunks at once).",
        show_default=False,
    ),
]


def build_query(
    app: Session,
    *,
    view: str | None,
    types: list[str] | None = None,
    assignee: str = "me",
    lead: str | None = None,
    from_day: str | None = None,
    to_day: str | None = None,
    after: str | None = None,
    before: str | None = None,
    created_from: str | None = None,
    created_before: str | None = None,
    order: str | None = None,
    default_order: str | None = None,
    limit: int | None = None,
    fields: str | None = None,
    **extra: Any,
) -> TaskQuery:
    """Check every filter value, then resolve the assignee; raises UsageError (exit 2) on a bad
    value before any request. `extra` goes to TaskQuery (is_complete=, ids=, extra=...)."""
    from closetask.core.query import TaskQuery, parse_fields, parse_order, parse_types
    from closetask.core.refs import parse_lead_ref
    from closetask.core.when import parse_day
    from closetask.errors import UsageError

    parsed_types = parse_types(types)
    parsed_order = parse_order(order, default=default_order)
    parsed_fields = parse_fields(fields)
    lead_id = parse_lead_ref(lead) if lead is not None else None
    now, tz = app.now(), app.tz

    def day(text: str | None, flag: str):
        if text is None:
            return None
        try:
            return parse_day(text, now=now, tz=tz)
        except UsageError as exc:
            raise UsageError(f"{flag}: {exc.message}") from None

    first, last = day_range(
        day(from_day, "--from"), day(to_day, "--to"), day(after, "--after"), day(before, "--before")
    )
    created_first, created_before_day = day(created_from, "--created-from"), day(created_before, "--created-before")
    # Last, because an email costs a request (GET /user/) and `me` may cost GET /me/.
    assignee_id = app.resolve_user(assignee, allow_all=True)
    return TaskQuery(
        view=view,
        types=parsed_types,
        assignee=assignee_id,
        lead_id=lead_id,
        from_day=first,
        to_day=last,
        created_after=created_first,
        created_before=created_before_day,
        order=parsed_order,
        limit=limit,
        fields=parsed_fields,
        **extra,
    )


def day_range(
    first: date | None, last: date | None, after: date | None, before: date | None
) -> tuple[date | None, date | None]:
    """--from/--to (days included) and --after/--before (days excluded) as one inclusive range
    of local days; given together, the narrower bound wins. Raises UsageError when no day fits."""
    from closetask.errors import UsageError

    bounds_first = [d for d in (first, after + timedelta(days=1) if after else None) if d is not None]
    bounds_last = [d for d in (last, before - timedelta(days=1) if before else None) if d is not None]
    start, end = max(bounds_first, default=None), min(bounds_last, default=None)
    if start is not None and end is not None and start > end:
        raise UsageError(
            f"no day is both {_bound_text(first, after)} and {_bound_text(last, before, upper=True)}: nothing can match"
        )
    return start, end


def _bound_text(included: date | None, excluded: date | None, *, upper: bool = False) -> str:
    if included is not None and (excluded is None or (included < excluded if upper else included > excluded)):
        return f"{'on or before' if upper else 'on or after'} {included.isoformat()}"
    assert excluded is not None
    return f"{'before' if upper else 'after'} {excluded.isoformat()}"


def merge_alias(value: str | None, alias: str | None, flag: str, old: str) -> str | None:
    """A flag and its hidden old spelling: either one, or both when they agree."""
    from closetask.errors import UsageError

    if value is not None and alias is not None and value != alias:
        raise UsageError(f"{flag} and {old} (its old spelling) disagree: pass {flag} once")
    return value if value is not None else alias


def has_filters(types: list[str] | None, assignee: str, *values: object) -> bool:
    """Whether the person narrowed the default selection (for the empty-listing message)."""
    return bool(types) or assignee.strip().lower() != "me" or any(v is not None for v in values)
