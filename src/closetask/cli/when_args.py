"""WHEN as the task commands take it: a negative offset as the last argument (`snooze 3
-2w`), and a day alone that keeps each timed task's time of day."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand

if TYPE_CHECKING:
    from closetask.session import Session

# A token that starts like a negative offset (-2w, '-1d 9am'); no option is a dash and a digit.
_NEGATIVE = re.compile(r"^-\d", re.ASCII)


class WhenLastCommand(TyperCommand):
    """A command whose last positional is a WHEN: `snooze 3 -2w` would otherwise read -2w
    as the options -2 and -w (click knows no negative numbers), so a last positional that
    starts with a dash and a digit is passed after `--`, where options end."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, negative_when_last(args, self.params))


def negative_when_last(args: list[str], params: list[Any]) -> list[str]:
    """`args` with a negative-offset last positional moved after `--`; unchanged when `--`
    is already there or the last positional is something else."""
    if "--" in args:
        return list(args)
    takes_value = {
        name
        for param in params
        if getattr(param, "param_type_name", "") == "option" and not getattr(param, "is_flag", False)
        for name in param.opts
    }
    positional: list[int] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token.startswith("-") and len(token) > 1 and not _NEGATIVE.match(token):
            i += 2 if token in takes_value else 1  # --opt=value and flags take one token
            continue
        positional.append(i)
        i += 1
    if not positional or not _NEGATIVE.match(args[positional[-1]]):
        return list(args)
    last = positional[-1]
    return [*args[:last], *args[last + 1 :], "--", args[last]]


KEEP_NOTE = "a timed task keeps its time of day on that day (a dry run does not read which are timed); --all-day sends the date as shown"


class KeepTime:
    """`fields_of` for a WHEN that names a day: each timed task keeps its time of day."""

    def __init__(self, app: Session, when: Any, fields: Mapping[str, Any], *, active: bool) -> None:
        self.app, self.when, self.fields, self.active, self.kept = app, when, dict(fields), active, 0
        self.values: set[str] = set()

    def fields_of(self, task: Mapping[str, Any]) -> dict[str, Any]:
        from closetask.core.when import keep_time

        moved = keep_time(self.when, task.get("date"), self.app.tz)
        self.kept += moved is not self.when
        self.values.add(moved.to_api())
        return {**self.fields, "date": moved.to_api()}

    def note(self) -> str:
        return ", keeping each timed task's time of day" if self.kept else ""

    def to_text(self, new_date: str) -> str:
        """Where snooze moved the tasks: the one value they got, or the day and a note."""
        from closetask.render.task_detail import when_text

        if self.kept and len(self.values) == 1:
            return when_text(next(iter(self.values)), self.app.tz)
        return f"{when_text(new_date, self.app.tz)}{self.note()}"


def keeping_time(app: Session, when: Any, fields: Mapping[str, Any], *, all_day: bool) -> KeepTime:
    return KeepTime(app, when, fields, active=when is not None and when.is_date_only and not all_day)


def reads_as_when(app: Session, text: str) -> bool:
    from closetask.errors import UsageError

    if text.strip().isdigit():
        return False  # a row number
    from closetask.core.when import parse_when

    try:
        parse_when(text, now=app.now(), tz=app.tz)
    except UsageError:
        return False
    return True
