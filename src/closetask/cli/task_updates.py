"""The changes `done`, `reopen`, `reassign`, `snooze` and `edit` make, by task ID.

cli/actions.py turns REFs into IDs and calls these; `triage` calls them for the highlighted
or marked tasks. Both go through task_changes.run_update (the journaled change flow), so a
change made either way is the same journal entry and `closetask undo` reverts it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from closetask.session import Session


def set_complete(
    app: Session,
    ids: Sequence[str],
    value: bool,
    *,
    command: str,
    json_out: bool = False,
    dry_run: bool = False,
    force: bool = False,
) -> None:
    """Mark `ids` complete (`value` True) or open again."""
    from closetask.cli import task_changes as tc
    from closetask.core.apply import plural

    verb = "Completed" if value else "Reopened"
    tc.run_update(
        app,
        command=command,
        ids=ids,
        fields={"is_complete": value},
        message=lambda n: f"{verb} {plural(n)}",
        already="already " + ("complete" if value else "open"),
        json_out=json_out,
        dry_run=dry_run,
        force=force,
    )


def reassign(
    app: Session,
    ids: Sequence[str],
    to: str,
    *,
    command: str,
    json_out: bool = False,
    dry_run: bool = False,
    force: bool = False,
) -> None:
    """Assign `ids` to `to` (me, an email or a user ID; exit 2 for nobody in the organization)."""
    from closetask.cli import task_changes as tc
    from closetask.core.apply import plural

    user_id = app.resolve_user(to, assigning=True)
    tc.run_update(
        app,
        command=command,
        ids=ids,
        fields={"assigned_to": user_id},
        message=lambda n: f"Reassigned {plural(n)} to {to}",
        already=f"already assigned to {to}",
        json_out=json_out,
        dry_run=dry_run,
        force=force,
    )


def snooze(
    app: Session,
    ids: Sequence[str],
    when: Any,
    *,
    command: str,
    all_day: bool = False,
    json_out: bool = False,
    dry_run: bool = False,
    force: bool = False,
) -> None:
    """Move `ids` to `when` (a parsed WHEN); a day alone keeps a timed task's time of day."""
    from closetask.cli import task_changes as tc
    from closetask.cli.when_args import KEEP_NOTE, keeping_time
    from closetask.core.apply import plural

    new_date = when.to_api()
    keep = keeping_time(app, when, {"date": new_date}, all_day=all_day)
    tc.run_update(
        app,
        command=command,
        ids=ids,
        fields={"date": new_date},
        message=lambda n: f"Moved {plural(n)} to {keep.to_text(new_date)}",
        already="already on that date",
        json_out=json_out,
        dry_run=dry_run,
        force=force,
        fields_of=keep.fields_of if keep.active else None,
        dry_run_note=KEEP_NOTE if keep.active else None,
    )


def edit(
    app: Session,
    task_id: str,
    fields: Mapping[str, Any],
    when: Any,
    *,
    command: str,
    all_day: bool = False,
    json_out: bool = False,
    dry_run: bool = False,
    force: bool = False,
) -> None:
    """Set `fields` (text, date) on one task; text only on a lead task (exit 2 otherwise)."""
    from closetask.cli import task_changes as tc
    from closetask.cli.when_args import KEEP_NOTE, keeping_time
    from closetask.errors import UsageError

    keep = keeping_time(app, when, fields, all_day=all_day)

    def lead_only(tasks: Mapping[str, Mapping[str, Any]]) -> None:
        kind = tasks[task_id].get("_type")
        if "text" in fields and kind != "lead":
            article = "an" if str(kind)[:1] in ("a", "e", "i", "o", "u") else "a"
            raise UsageError(
                f"only lead tasks have text that can be changed; this is {article} {kind} task (--date works)"
            )

    tc.run_update(
        app,
        command=command,
        ids=[task_id],
        fields=fields,
        message=lambda n: f"Updated{keep.note()}",
        already="already so",
        json_out=json_out,
        dry_run=dry_run,
        force=force,
        check=lead_only,
        fields_of=keep.fields_of if keep.active else None,
        dry_run_note=KEEP_NOTE if keep.active else None,
    )
