"""A transient "fetching" indicator on stderr while a listing takes more than one page.

Shown only when stderr is a terminal, and only once a full first page says more are coming:
one-page listings (most inboxes) never flash a spinner. It never redirects stdout, so data
written meanwhile (JSONL) goes where it should.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

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
