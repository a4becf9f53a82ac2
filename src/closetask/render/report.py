"""What a changing command says when it is done, rendered in one place.

A command builds a Report (its lines for stderr, in order; the document --json prints; the
plain stdout line, such as `add`'s new ID) and hands it to `emit()`: stdout carries only
data, everything a person reads goes to stderr, and --json replaces the plain line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any


@dataclass
class Report:
    notes: list[str] = field(default_factory=list)
    data: Any = None  # the --json document
    plain: str | None = None  # stdout without --json

    def note(self, line: str) -> Report:
        self.notes.append(line)
        return self


def emit(report: Report, *, json_out: bool, notify: Callable[[str], None], out: IO[str] | None = None) -> None:
    from closetask.render.machine import write_document

    for line in report.notes:
        notify(line)
    if json_out:
        write_document(report.data, out=out)
    elif report.plain is not None:
        print(report.plain, file=out, flush=True)
