"""`closetask delete`: the one change undo cannot revert, so the one that asks first."""

from __future__ import annotations

import typer

from closetask.cli.lazy_group import command_app
from closetask.cli.options import DryRunOpt, ForceOpt, JsonOpt, RefsArg, YesOpt


def delete(
    ctx: typer.Context,
    refs: RefsArg,
    yes: YesOpt = False,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
) -> None:
    """Delete tasks for good (asks first; --yes when not on a terminal).

    Close cannot restore a deleted task, so `closetask undo` cannot either.

    Example: closetask delete 4 --yes
    """
    from closetask.cli import task_changes as tc
    from closetask.core.apply import change, plural, raise_for_failures
    from closetask.core.changes import fetch_tasks, plan_delete
    from closetask.render.report import Report, emit
    from closetask.render.task_detail import labels_summary, task_label

    app = tc.app_context(ctx)
    ids = tc.task_ids(app, refs)
    if dry_run:
        tc.print_requests(app, plan_delete(ids))
        return
    tc.require_yes(app, yes=yes, what="delete", nothing="deleted")
    client = app.client()
    row_named = {i: rows for i, rows in app.row_named.items() if i in ids}
    tasks = fetch_tasks(client, ids, require_all=not row_named)
    # A row that no longer shows its task must not delete it: that is the one slip undo cannot fix.
    left = {} if force else tc.left_their_rows(app, tasks, row_named, None)
    if missing := [i for i in ids if i not in tasks and i not in left]:
        fetch_tasks(client, missing)  # raises NotFound naming them, as for any unknown ID
    if left:
        app.notify(tc.left_note(left, tasks))
        ids = [i for i in ids if i not in left]
        if not ids:
            tc.raise_for_left_rows(left, changed_any=False, verb="deleted")
    if not yes:
        for task in tasks.values():
            app.notify(f"  {task_label(task)}")
        tc.confirm(app, f"Delete {plural(len(ids))} for good? Close cannot restore them", yes=False, what="delete")
    command = tc.command_line("delete", refs)
    with tc.change_lock(app, command):
        _, result = change(
            client,
            tc.journal(app),
            command=command,
            action="delete",
            before=[{"id": i, "fields": tasks[i]} for i in ids],
            requests=plan_delete(ids),
            missing_ok=True,
        )
    gone = [tasks[i] for i in result.sent]
    report = Report(data=gone)
    if gone:
        report.note(f"Deleted {plural(len(gone))}: {labels_summary(gone)}")
        report.note("note: deleted tasks cannot be restored, not even by closetask undo")
    emit(report, json_out=json_out, notify=app.notify, out=app.env.output)
    raise_for_failures(result, done_verb="deleted", rerun="run the same command again to delete the rest")
    if left:
        tc.raise_for_left_rows(left, changed_any=bool(result.sent), verb="deleted")


# Looked up by the root group only when `delete` runs (cli/lazy_group.py).
commands = command_app()
commands.command("delete")(delete)
