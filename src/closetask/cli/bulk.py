"""`closetask bulk`: change many tasks selected by filter, safely enough for cron.

Select (one listing pass) -> preview -> --max and confirmation -> journal -> chunked bulk PUTs
-> a one-line report. One bulk at a time per profile (state/lock.py); Ctrl-C or SIGTERM stops
after the chunks in flight and the journal says exactly what was sent.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from closetask.cli.filters import (
    AfterOpt,
    AssigneeOpt,
    BeforeOpt,
    ConcurrencyOpt,
    CreatedAfterAlias,
    CreatedBeforeOpt,
    CreatedFromOpt,
    FromOpt,
    LeadOpt,
    ToOpt,
    TypeOpt,
)
from closetask.cli.lazy_group import command_app
from closetask.cli.options import BULK_DEFAULT_MAX, AssignToOpt, YesOpt

ViewOpt = Annotated[
    Optional[str],
    typer.Option(
        "--view", metavar="VIEW", help="Only tasks in this view: inbox, future or archive.", show_default=False
    ),
]
IdOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--id",
        metavar="REF",
        help="Only this task (repeatable): a task ID (task_..., noti_...), a Close address, a row number, or - for IDs on stdin. Widens --assignee to all unless given.",
        show_default=False,
    ),
]


# A bulk selects thousands of tasks at a time: listing pages one by one would cost a round
# trip each (100 for 10,000 tasks, as many as the PUTs). Four at once stays well under Close's
# rate limits; the first page still goes alone, so a small selection costs one GET.
SELECT_CONCURRENCY = 4
# The PUTs go two at a time: one chunk's round trip hides behind the other's (100 chunks at
# 20 ms latency: 3.0 s one at a time, 1.9 s two at a time). More would mostly add chunks
# in flight when Ctrl-C comes, and load on Close's bulk endpoint. --concurrency 1 (or a
# profile's concurrency 1) sends them one at a time.
WRITE_CONCURRENCY = 2


def bulk(
    ctx: typer.Context,
    types: TypeOpt = None,
    assignee: AssigneeOpt = None,  # type: ignore[assignment]  # the shared option is typed str; here None means me (all with --id)
    lead: LeadOpt = None,
    created_from: CreatedFromOpt = None,
    created_before: CreatedBeforeOpt = None,
    view: ViewOpt = None,
    from_day: FromOpt = None,
    to_day: ToOpt = None,
    after: AfterOpt = None,
    before: BeforeOpt = None,
    ids: IdOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="No narrowing filter: every task the defaults select.")] = False,
    complete: Annotated[bool, typer.Option("--complete", help="Mark the tasks complete.")] = False,
    reopen: Annotated[
        bool, typer.Option("--reopen", help="Mark the tasks incomplete (selects complete tasks).")
    ] = False,
    assign_to: AssignToOpt = None,
    date: Annotated[
        Optional[str],
        typer.Option(
            "--date",
            "-d",
            metavar="WHEN",
            help="Move the tasks to this day, or day and time ('mon 9am').",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Select and print the PUT requests that would be sent; change nothing."),
    ] = False,
    yes: YesOpt = False,
    max_: Annotated[
        int, typer.Option("--max", metavar="N", min=1, help="Refuse (exit 2, nothing changed) when more tasks match.")
    ] = BULK_DEFAULT_MAX,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print a summary object on stdout (counts, failed IDs, journal entry).")
    ] = False,
    concurrency: ConcurrencyOpt = None,
    created_after: CreatedAfterAlias = None,
) -> None:
    """Change many tasks by filter: complete, reopen, reassign or move them.

    Selects every match first (by default your incomplete tasks of all types; complete ones
    with --reopen), previews them on a terminal and asks (off a terminal --yes is required),
    journals their before-state, then sends bulk PUTs of at most 100 tasks each, two at a
    time (--concurrency 1: one at a time). A filter is required (--all for everything the
    defaults select); more than --max matches change nothing. Exit 3: some chunk failed,
    rerun the same command to finish. Exit 130: stopped by Ctrl-C or SIGTERM after the
    chunks in flight. Exit 1: another bulk of this profile is running. `closetask undo`
    reverts a bulk.

    Example: closetask bulk --before -14d --type email_followup --complete --yes
    """
    import time

    from closetask.cli import task_changes as tc
    from closetask.cli.bulk_options import BulkOptions, check, resolve, words
    from closetask.cli.filters import merge_alias

    started = time.monotonic()
    app = tc.app_context(ctx)
    o = BulkOptions(
        types=types,
        assignee=assignee,
        lead=lead,
        created_from=merge_alias(created_from, created_after, "--created-from", "--created-after"),
        created_before=created_before,
        view=view,
        from_day=from_day,
        to_day=to_day,
        after=after,
        before=before,
        ids=ids,
        all_=all_,
        complete=complete,
        reopen=reopen,
        assign_to=assign_to,
        date=date,
        dry_run=dry_run,
        yes=yes,
        max_=max_,
        json_out=json_out,
        concurrency=concurrency,
    )
    checked = check(app, o)
    command = tc.command_line("bulk", *words(o))
    if dry_run:
        _run(app, o, *resolve(app, o, checked), command, started)
        return
    import os

    from closetask.state.lock import BulkLock

    # Taken before any request, so a second run exits at once; a dry run changes nothing
    # and needs no lock.
    holder = {"pid": os.getpid(), "started": app.now().isoformat(timespec="seconds"), "command": command}
    with BulkLock(app.state_path("bulk.lock"), holder=holder):
        _run(app, o, *resolve(app, o, checked), command, started)


# --- the run --------------------------------------------------------------------------


def _run(
    app: Any,
    o: Any,  # BulkOptions
    query: Any,
    changes: dict[str, Any],
    labels: dict[str, str],
    command: str,
    started: float,
) -> None:
    import time

    from closetask.cli import task_changes as tc
    from closetask.core import bulk as core
    from closetask.core.apply import plural, raise_for_failures
    from closetask.errors import UsageError
    from closetask.render.progress import bulk_preview, bulk_progress, with_progress
    from closetask.render.report import Report, emit

    settings = app.settings
    chosen = o.concurrency or settings.concurrency
    pages = core.select_pages(
        app.client(),
        query,
        tz=app.tz,
        today=app.today(),
        page_size=settings.page_size,
        concurrency=chosen or SELECT_CONCURRENCY,
    )
    tasks = core.unique_tasks(
        with_progress(pages, app.err if app.stderr_isatty else None, page_size=settings.page_size)
    )
    plan = core.BulkPlan.build(tasks, changes)
    what = core.describe_changes(changes, **labels)

    def finish(**kwargs: Any) -> None:
        data = core.summary(plan, seconds=time.monotonic() - started, **kwargs)
        emit(Report(data=data), json_out=o.json_out, notify=app.notify, out=app.env.output)

    if not plan.tasks:
        app.notify("bulk: no tasks match these filters; nothing to change")
        finish(dry_run=o.dry_run)
        return
    if app.stderr_isatty:
        notes = bulk_preview(plan, what, tz=app.tz)
        for line in notes:
            app.notify(line)
    over = plan.over_max(o.max_)
    if o.dry_run:
        app.notify(f"bulk: {plan.matched} matched, {len(plan.todo)} to change ({what}), {len(plan.skipped)} already so")
        if over:
            app.notify(
                f"note: more than --max {o.max_}: without --dry-run this would change nothing (raise the cap with --max {plan.matched})"
            )
        if o.json_out:
            finish(dry_run=True)
        else:
            tc.print_requests(app, plan.requests())
        return
    if over:
        raise UsageError(
            f"{plan.matched} tasks match, more than --max {o.max_}; nothing was changed",
            hint=f"narrow the filters, or raise the cap with --max {plan.matched}",
        )
    if not plan.todo:
        app.notify(f"bulk: all {plural(plan.matched, 'matching task')} are already so; nothing to change")
        finish()
        return
    tc.confirm(app, f"Change {plural(len(plan.todo))} ({what})?", yes=o.yes, what="bulk")

    book = tc.journal(app)
    entry = book.begin(
        command=command,
        action="bulk",
        before=plan.before(),
        changes=plan.changes,
        extra={"matched": plan.matched, "skipped": len(plan.skipped)},
    )
    result, interrupted = _apply(
        app.client(),
        book,
        entry,
        plan,
        progress=bulk_progress(app.err if app.stderr_isatty else None, len(plan.todo)),
        in_flight=min(chosen or WRITE_CONCURRENCY, WRITE_CONCURRENCY),
        read_concurrency=chosen or SELECT_CONCURRENCY,
    )
    data = core.summary(
        plan, result=result, journal_entry=entry.id, seconds=time.monotonic() - started, interrupted=interrupted
    )
    emit(
        Report([core.summary_line(data, undo=app.command("undo"))], data=data),
        json_out=o.json_out,
        notify=app.notify,
        out=app.env.output,
    )
    raise_for_failures(result, done_verb="changed", rerun="run the same command again to finish", rerun_finishes=True)


def _apply(
    client: Any, book: Any, entry: Any, plan: Any, *, progress: Any, in_flight: int, read_concurrency: int
) -> tuple[Any, bool]:
    """Send the chunks through core/apply.py with a progress bar; SIGINT/SIGTERM stops
    sending, and the chunks in flight finish."""
    from closetask.cli.signals import StopOnSignal
    from closetask.core.apply import send
    from closetask.errors import NetworkError, RateLimited, ServerError

    stop = StopOnSignal()
    with stop, progress as advance:

        def on_chunk(chunk: Any) -> None:
            advance(len(chunk.ids))

        # A chunk that failed for good on a server error, time-out or rate limit (after the
        # HTTP layer's retries): the next ones would meet the same; the rerun finishes.
        # A second signal stops at once: the chunks in flight are counted as unknown.
        result = send(
            client,
            book,
            entry,
            plan.requests(),
            on_chunk=on_chunk,
            should_stop=stop.requested,
            in_flight=in_flight,
            stop_on=(ServerError, NetworkError, RateLimited),
            read_back=True,
            read_concurrency=read_concurrency,
        )
    if result.stopped:
        result.interrupted = True  # the first signal: stopped after the chunks in flight
    return result, result.interrupted


# Looked up by the root group only when `bulk` runs (cli/lazy_group.py).
commands = command_app()
commands.command("bulk")(bulk)
