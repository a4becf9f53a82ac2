"""Progress on stderr: a transient "fetching" indicator while a listing takes more than one
page, and bulk's preview and progress bar.

Shown only when stderr is a terminal, and only once a full first page says more are coming:
one-page listings (most inboxes) never flash a spinner. It never redirects stdout, so data
written meanwhile (JSONL) goes where it should.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from closetask.core.timezone import TimeZone

PREVIEW_ROWS = 10  # rows bulk shows before it asks

Page = TypeVar("Page", bound=list)


def with_progress(
    pages: Iterable[Page],
    console: Console | None,
    *,
    page_size: int,
    limit: int | None = None,
    what: str = "tasks",
) -> Iterator[Page]:
    """Yield `pages` unchanged; show a count on `console` (None: show nothing) meanwhile."""
    live: Any = None
    count = 0
    try:
        for page in pages:
            count += len(page)
            more_expected = len(page) >= page_size and (limit is None or count < limit)
            if live is None and console is not None and more_expected:
                live = _start(console)
            if live is not None:
                live.update(_spinner(f"Fetching {what}\u2026 {count:,}"))
            yield page
    finally:
        if live is not None:
            live.stop()


def _spinner(text: str) -> Any:
    from rich.spinner import Spinner

    return Spinner("dots", text=text)


def _start(console: Console) -> Any:
    from rich.live import Live

    # redirect_stdout=False: Live would otherwise route sys.stdout through this (stderr)
    # console while it runs, and data would end up on stderr.
    live = Live(
        _spinner("Fetching\u2026"),
        console=console,
        transient=True,
        refresh_per_second=8,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    live.start()
    return live


@contextmanager
def bulk_progress(console: Console | None, total: int) -> Iterator[Callable[[int], None]]:
    """bulk's progress bar on `console` (stderr, None off a terminal); `advance(n)` after each chunk."""
    if console is None or total <= 0:
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("Changing tasks"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    bar = progress.add_task("bulk", total=total)
    with progress:
        yield lambda n: progress.advance(bar, n)


def bulk_preview(plan: Any, what: str, *, tz: TimeZone) -> list[str]:
    """bulk's preview on a terminal: how many, what will change, and the first rows."""
    from closetask.core.apply import plural
    from closetask.render.task_detail import task_label, when_text

    skipped = f" ({len(plan.skipped)} already so, skipped)" if plan.skipped else ""
    lines = [
        f"{plural(plan.matched)} match{'es' if plan.matched == 1 else ''}{skipped}; {len(plan.todo)} will change: {what}"
    ]
    for task in plan.preview(PREVIEW_ROWS):
        kind = str(task.get("_type") or "")
        lines.append(f"  {when_text(task.get('date'), tz):<32} {kind:<22} {task_label(task, width=50)}")
    if len(plan.todo) > PREVIEW_ROWS:
        lines.append(f"  ... and {len(plan.todo) - PREVIEW_ROWS} more")
    return lines
