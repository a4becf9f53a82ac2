"""`closetask triage`: the inbox on one keyboard-driven screen (tui/app.py draws it).

This module is the screen's backend: it lists with the views' query and core.listing, and
changes tasks with cli/task_updates.py and `undo`'s run_undo, so the journal is the one the
commands write. Textual is imported only when triage runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from closetask.cli.filters import (
    AfterOpt,
    AssigneeOpt,
    BeforeOpt,
    ConcurrencyOpt,
    CreatedBeforeOpt,
    CreatedFromOpt,
    FromOpt,
    LeadOpt,
    LimitOpt,
    OrderOpt,
    ToOpt,
    TypeOpt,
)
from closetask.cli.lazy_group import command_app

if TYPE_CHECKING:
    from closetask.core.listing import Listing
    from closetask.core.query import TaskQuery
    from closetask.core.timezone import TimeZone
    from closetask.session import Session
    from closetask.tui.app import TriageApp

_DEFAULT_ORDER = {"inbox": "date", "future": "date", "archive": "-date"}


def triage(
    ctx: typer.Context,
    view: Annotated[
        str, typer.Option("--view", metavar="VIEW", help="inbox, future or archive (x reopens in the archive).")
    ] = "inbox",
    types: TypeOpt = None,
    assignee: AssigneeOpt = "me",
    lead: LeadOpt = None,
    from_day: FromOpt = None,
    to_day: ToOpt = None,
    after: AfterOpt = None,
    before: BeforeOpt = None,
    created_from: CreatedFromOpt = None,
    created_before: CreatedBeforeOpt = None,
    order: OrderOpt = None,
    limit: LimitOpt = None,
    concurrency: ConcurrencyOpt = None,
) -> None:
    """Work tasks on one keyboard-driven screen: complete, snooze, reassign, undo, open in Close.

    The inbox's table (the same filters; --view future or archive) with the highlighted
    task's details. Keys: j/k move, space marks, x completes (the marked tasks, else the
    highlighted one), s snoozes, r reassigns, e edits, u undoes, / filters, o opens the lead
    in Close, y copies its address, ctrl+r refreshes, ? lists the keys, q quits. Changes are
    journaled like the commands': `closetask undo` reverts them. Needs a terminal: scripts
    use `closetask inbox`.

    Example: closetask --sandbox triage --type missed_call,voicemail
    """
    from closetask.cli import task_changes as tc
    from closetask.cli.filters import build_query
    from closetask.core.query import VIEWS
    from closetask.errors import UsageError
    from closetask.exitcodes import ExitCode

    app = tc.app_context(ctx)
    if view not in VIEWS:
        raise UsageError(f"--view: {view!r} is not a view: use one of {', '.join(VIEWS)}")
    if not (app.stdin_isatty and app.stdout_isatty):
        raise UsageError("triage needs a terminal (keys in, a screen out); scripts use `closetask inbox` (TSV, --json)")
    query = build_query(
        app,
        view=view,
        types=types,
        assignee=assignee,
        lead=lead,
        from_day=from_day,
        to_day=to_day,
        after=after,
        before=before,
        created_from=created_from,
        created_before=created_before,
        order=order,
        default_order=_DEFAULT_ORDER[view],
        limit=limit,
    )
    code = make_app(app, view, query, concurrency=concurrency, prefetch=True).run()
    app.listener = None  # the screen is gone: messages go to stderr again
    if code == ExitCode.INTERRUPTED:
        app.notify("interrupted: triage stopped by a signal")
    raise typer.Exit(code or 0)


def make_app(
    app: Session,
    view: str,
    query: TaskQuery,
    *,
    concurrency: int | None = None,
    open_url: Callable[[str], Any] | None = None,
    prefetch: bool = False,
) -> TriageApp:
    """The triage screen over `app`'s profile (tests drive it with Textual's run_test).

    `prefetch`: start reading the list before importing Textual (about 0.15 s of imports),
    so the first paint has the tasks sooner."""
    from closetask.tui.worker import Worker

    backend = Backend(app, view, query, concurrency=concurrency)
    io = Worker()
    first = io.submit(backend.load) if prefetch else None

    from closetask.tui.app import TriageApp

    return TriageApp(backend, open_url=open_url, refresh_every=app.settings.refresh, io=io, first_load=first)


class Backend:
    """What the screen asks for, done the commands' way (see tui/app.py's Backend)."""

    def __init__(self, app: Session, view: str, query: TaskQuery, *, concurrency: int | None = None) -> None:
        self.app, self.view, self.query, self.concurrency = app, view, query, concurrency

    @property
    def tz(self) -> TimeZone:
        return self.app.tz

    def listen(self, callback: Callable[[str], None]) -> None:
        # What the change flow says (and the client's waits on a 429) goes to the status line.
        self.app.listener = callback

    def load(self) -> Listing:
        """The listing `inbox` (or the view) shows, through the same core functions."""
        from dataclasses import replace

        from closetask.core.listing import arrange, first_rows, iter_pages

        app, query = self.app, self.query
        today = app.today()
        pages = iter_pages(
            app.client(),
            replace(query, limit=None),
            tz=app.tz,
            today=today,
            page_size=app.settings.page_size,
            concurrency=self.concurrency or app.settings.concurrency or 1,
        )
        if query.limit is not None:
            listing, _ = first_rows(pages, query.limit, tz=app.tz, today=today, view=self.view, order=query.order)
            return listing
        tasks = [task for page in pages for task in page]
        return arrange(tasks, tz=app.tz, today=today, view=self.view, order=query.order)

    # The journal records each change as the command that does the same, so `undo --list`
    # reads the same whichever way it was made.

    def set_complete(self, ids: Sequence[str], value: bool) -> None:
        from closetask.cli import task_changes as tc
        from closetask.cli import task_updates

        command = tc.command_line("done" if value else "reopen", list(ids))
        task_updates.set_complete(self.app, ids, value, command=command)

    def snooze(self, ids: Sequence[str], when: str) -> None:
        from closetask.cli import task_changes as tc
        from closetask.cli import task_updates

        parsed = tc.parse_when(self.app, when)
        task_updates.snooze(self.app, ids, parsed, command=tc.command_line("snooze", list(ids), when))

    def reassign(self, ids: Sequence[str], who: str) -> None:
        from closetask.cli import task_changes as tc
        from closetask.cli import task_updates

        command = tc.command_line("reassign", list(ids), "--assign-to", who)
        task_updates.reassign(self.app, ids, who, command=command)

    def edit_text(self, task_id: str, text: str) -> None:
        from closetask.cli import task_changes as tc
        from closetask.cli import task_updates
        from closetask.errors import UsageError

        if not text.strip():
            raise UsageError("the new text is empty")
        command = tc.command_line("edit", task_id, "--text", text)
        task_updates.edit(self.app, task_id, {"text": text}, None, command=command)

    def undo(self) -> None:
        from closetask.cli.undo import run_undo

        run_undo(self.app, None, force=False, yes=True)

    def users(self) -> list[str]:
        """`me` and the organization's users' emails (cached a day, like `--assign-to`)."""
        emails = [str(user.get("email")) for user in self.app.users() if user.get("email")]
        return ["me", *sorted(emails)]

    def lead_url(self, task: Mapping[str, Any]) -> str | None:
        from closetask.core.refs import lead_address

        lead_id = task.get("lead_id")
        return lead_address(str(lead_id)) if lead_id else None


# Looked up by the root group only when `triage` runs (cli/lazy_group.py).
commands = command_app()
commands.command("triage")(triage)
