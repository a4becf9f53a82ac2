"""`closetask report`: incomplete tasks counted by assignee, by age and by type."""

from __future__ import annotations

import typer

from closetask.cli import options as opt
from closetask.cli.filters import (
    AssigneeOpt,
    ConcurrencyOpt,
    CreatedBeforeOpt,
    CreatedFromOpt,
    LeadOpt,
    TypeOpt,
)
from closetask.cli.lazy_group import command_app


def report(
    ctx: typer.Context,
    types: TypeOpt = None,
    assignee: AssigneeOpt = "me",
    lead: LeadOpt = None,
    created_from: CreatedFromOpt = None,
    created_before: CreatedBeforeOpt = None,
    as_json: opt.JsonInfoOpt = False,
    concurrency: ConcurrencyOpt = None,
) -> None:
    """Count incomplete tasks by assignee, by age and by type (the team's with --assignee all).

    Ages are counted from today in the profile's time zone: more than 30 days overdue, 8-30,
    1-7, due today, upcoming, no date. On a terminal: tables with bars; in a pipe: TSV with a
    header line (assignee, user_id, total, then each age); --json: one object (README
    documents it). Only the fields counted are fetched: the same requests as `--ids`.

    Example: closetask report --assignee all
    """
    from dataclasses import replace

    from closetask.cli.filters import build_query
    from closetask.core.team_report import FIELDS, count
    from closetask.render.machine import write_document
    from closetask.render.progress import with_progress
    from closetask.render.team_report import print_report, write_tsv

    app = ctx.obj
    query = build_query(
        app,
        view=None,
        types=types,
        assignee=assignee,
        lead=lead,
        created_from=created_from,
        created_before=created_before,
        is_complete=False,
    )
    query = replace(query, fields=FIELDS)
    pages = app.pages(query, concurrency=concurrency)
    tasks = [
        t
        for page in with_progress(pages, app.err if app.stderr_isatty else None, page_size=app.settings.page_size)
        for t in page
    ]
    result = count(tasks, tz=app.tz, today=app.today())
    if as_json:
        write_document(result.to_dict(), out=app.env.output)
    elif app.stdout_isatty:
        print_report(result, app.out)
    else:
        write_tsv(result, app.env.output)


# Looked up by the root group only when `report` runs (cli/lazy_group.py).
commands = command_app()
commands.command("report")(report)
