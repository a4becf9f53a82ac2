"""`closetask inbox`, `future` and `archive`: the three task views of Close's Tasks page.

One body for all three (`show`): parse the options, fetch with core, hand to a renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from closetask.cli.filters import (
    AfterOpt,
    AssigneeOpt,
    BeforeOpt,
    ConcurrencyOpt,
    CreatedAfterAlias,
    CreatedBeforeOpt,
    CreatedFromOpt,
    FieldsOpt,
    FromOpt,
    IdsOpt,
    JsonListOpt,
    JsonlOpt,
    LeadOpt,
    LimitOpt,
    OrderOpt,
    TableOpt,
    ToOpt,
    TypeOpt,
)
from closetask.cli.lazy_group import command_app

if TYPE_CHECKING:
    from closetask.cli.view_options import ViewOptions

_OUTPUT_HELP = """
On a terminal (or with --table): a table grouped by your local day, date-only tasks first,
then by time; its row numbers work in later commands on that terminal (closetask done 3).
Otherwise one tab-separated line per task, no header, columns: row, id, date, local_date,
local_time, type, lead_id, lead_name, about, assignee (row is the position in that listing;
scripts name tasks by ID). --json, --jsonl and --ids print Close's objects or the IDs instead.
"""

_DEFAULT_ORDER = {"inbox": "date", "future": "date", "archive": "-date"}
_EMPTY = {
    "inbox": ("Inbox zero: nothing due today.", "No inbox tasks match these filters."),
    "future": ("Nothing scheduled after today.", "No upcoming tasks match these filters."),
    "archive": ("No completed tasks yet.", "No completed tasks match these filters."),
}


def _command(view: str, doc: str) -> Any:
    def command(
        ctx: typer.Context,
        types: TypeOpt = None,
        assignee: AssigneeOpt = "me",
        lead: LeadOpt = None,
        from_day: FromOpt = None,
        to_day: ToOpt = None,
        after: AfterOpt = None,
        before: BeforeOpt = None,
        created_from: CreatedFromOpt = None,
        created_before: CreatedBeforeOpt = None,
        created_after: CreatedAfterAlias = None,
        order: OrderOpt = None,
        limit: LimitOpt = None,
        fields: FieldsOpt = None,
        as_json: JsonListOpt = False,
        jsonl: JsonlOpt = False,
        ids: IdsOpt = False,
        table: TableOpt = False,
        concurrency: ConcurrencyOpt = None,
    ) -> None:
        from closetask.cli.filters import merge_alias
        from closetask.cli.view_options import ViewOptions

        options = ViewOptions(
            types=types,
            assignee=assignee,
            lead=lead,
            from_day=from_day,
            to_day=to_day,
            after=after,
            before=before,
            created_from=merge_alias(created_from, created_after, "--created-from", "--created-after"),
            created_before=created_before,
            order=order,
            limit=limit,
            fields=fields,
            as_json=as_json,
            jsonl=jsonl,
            ids=ids,
            table=table,
            concurrency=concurrency,
        )
        show(ctx.obj, view, options)

    command.__name__ = view
    command.__doc__ = doc
    return command


def show(app: Any, view: str, o: ViewOptions) -> None:
    """List `view` with the command's option values `o`."""
    from dataclasses import replace

    from closetask.cli.filters import build_query, has_filters
    from closetask.core.listing import arrange, first_rows
    from closetask.core.query import SORT_FIELDS, with_sort_fields
    from closetask.errors import UsageError
    from closetask.render import machine
    from closetask.render.progress import with_progress

    chosen = [
        flag for flag, on in (("--json", o.as_json), ("--jsonl", o.jsonl), ("--ids", o.ids), ("--table", o.table)) if on
    ]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} cannot be combined: pick one output format")
    fmt = chosen[0].lstrip("-") if chosen else ("table" if app.stdout_isatty else "tsv")
    if o.fields is not None and fmt not in ("json", "jsonl"):
        raise UsageError("--fields trims JSON output: use it with --json or --jsonl")

    query = build_query(
        app,
        view=view,
        types=o.types,
        assignee=o.assignee,
        lead=o.lead,
        from_day=o.from_day,
        to_day=o.to_day,
        after=o.after,
        before=o.before,
        created_from=o.created_from,
        created_before=o.created_before,
        order=o.order,
        default_order=_DEFAULT_ORDER[view],
        limit=o.limit,
        fields=o.fields,
    )
    shown_fields = query.fields
    # Ask for the fields display order needs too; --ids needs nothing else.
    query = replace(query, fields=SORT_FIELDS if fmt == "ids" else with_sort_fields(query.fields))

    settings = app.settings
    today = app.today()
    # A spinner on the terminal JSONL is streaming to would garble the lines.
    spinner_ok = app.stderr_isatty and not (fmt == "jsonl" and app.stdout_isatty)
    # JSONL with --limit streams in Close's order, so its limit is Close's (`_limit`); every
    # other format shows the display order, whose first N rows first_rows() finds by reading
    # on a little in Close's order. Without --limit, a listing is read by creation-date ranges
    # (core.listing.iter_pages): JSONL then streams oldest-created first.
    paged = query if fmt == "jsonl" else replace(query, limit=None)
    pages = with_progress(
        app.pages(paged, concurrency=o.concurrency, in_order=query.limit is not None),
        app.err if spinner_ok else None,
        page_size=settings.page_size,
        limit=query.limit,
    )
    absent = set(shown_fields or ())  # --fields names no task has (a typo, or not Close's)
    if fmt == "jsonl":
        written = 0
        for page in pages:
            written += machine.write_jsonl(page, fields=shown_fields, out=app.env.output)
            absent.difference_update(*(task.keys() for task in page))
        _warn_absent(app, absent, seen=written > 0)
        return

    if query.limit is not None:
        listing, limited = first_rows(pages, query.limit, tz=app.tz, today=today, view=view, order=query.order)
        tasks = listing.tasks
    else:
        tasks = [task for page in pages for task in page]
        listing, limited = arrange(tasks, tz=app.tz, today=today, view=view, order=query.order), False
    if fmt == "json":
        machine.write_json(listing.tasks, fields=shown_fields, out=app.env.output)
        absent.difference_update(*(task.keys() for task in listing.tasks))
        _warn_absent(app, absent, seen=bool(listing.tasks))
        return
    if fmt == "ids":
        machine.write_ids(listing.tasks, out=app.env.output)
        return

    # Only a table a person sees gives row numbers, and only to the terminal it was shown on:
    # a TSV in a pipe (a status bar, `| wc -l`) must not change what `done 3` means there.
    rows_path = app.rows_path() if fmt == "table" else None
    if rows_path is not None:
        from closetask.core.refs import save_rows

        ids = [str(task.get("id", "")) for task in listing.tasks]
        try:
            save_rows(rows_path, ids, command=view, saved_at=app.now(), assignee=query.assignee)
        except OSError as exc:
            # The table is still worth showing (a full or read-only disk); only `done N` loses.
            app.notify(
                f"warning: row numbers were not saved (cannot write {rows_path}: {exc.strerror or exc}); "
                "name tasks by ID until it is writable"
            )
    if not tasks:
        if fmt == "table" or app.stderr_isatty:
            filtered = has_filters(
                o.types,
                o.assignee,
                o.lead,
                o.from_day,
                o.to_day,
                o.after,
                o.before,
                o.created_from,
                o.created_before,
            )
            app.notify(_EMPTY[view][1 if filtered else 0])
        return
    if fmt == "tsv":
        machine.write_tsv(listing.tasks, tz=app.tz, out=app.env.output)
        return

    from closetask.render.table import print_table

    print_table(
        app.out,
        listing,
        tz=app.tz,
        show_assignee=o.assignee.strip().lower() != "me",
        limited=limited,
    )


inbox = _command(
    "inbox",
    f"""List what is due: your incomplete tasks up to the end of today, overdue ones included.

All task types, assigned to you, every page (--type, --assignee and the other options narrow
or widen that).
{_OUTPUT_HELP}
Example: closetask inbox --type email_followup,missed_call
""",
)

future = _command(
    "future",
    f"""List what is coming: your incomplete tasks from tomorrow on.

All task types, assigned to you, every page.
{_OUTPUT_HELP}
Example: closetask future --to +7d
""",
)

archive = _command(
    "archive",
    f"""List completed tasks, newest day first.

All task types, assigned to you, every page (--order date for oldest first).
{_OUTPUT_HELP}
Example: closetask archive --from -7d --json
""",
)


# Looked up by the root group only when one of these commands runs (cli/lazy_group.py).
commands = command_app()
commands.command("inbox")(inbox)
commands.command("future")(future)
commands.command("archive")(archive)


def _warn_absent(app: Any, absent: set[str], *, seen: bool) -> None:
    """One warning naming the --fields no task had: not an error (Close adds fields, and a
    type may lack one), but a typo should not pass as a column of nulls in silence."""
    if absent and seen:
        names = ", ".join(sorted(absent))
        app.notify(f"warning: no task listed has {names} (--fields keeps only the names Close's task objects use)")
