"""The triage screen: the table's list (grouped by local day), a detail pane, a status line,
a footer of keys, and a one-line prompt for WHEN, WHO, text and the filter.

No business logic here: the backend (cli/triage.py) lists and changes tasks with the very
functions `inbox`, `done`, `snooze`, `reassign`, `edit` and `undo` use. Its calls block
(HTTP), so they run on one worker thread, one after another, in the order the keys asked:
the screen keeps answering while Close does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, ClassVar, Protocol

from rich.cells import cell_len
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from closetask.core.listing import Listing, text_matches
from closetask.core.timezone import TimeZone
from closetask.errors import ClosetaskError
from closetask.render.table import heading_style, task_rows
from closetask.render.task_detail import detail_lines
from closetask.tui.worker import Worker

Task = Mapping[str, Any]
INTERRUPTED = 130  # the exit code of a command stopped by a signal (exitcodes.py)


class Backend(Protocol):
    """What triage asks of the commands' layer (cli/triage.py). Every method may block and
    may raise ClosetaskError; what a change reports arrives through `listen`'s callback."""

    view: str

    @property
    def tz(self) -> TimeZone: ...

    def listen(self, callback: Callable[[str], None]) -> None: ...
    def load(self) -> Listing: ...
    def set_complete(self, ids: Sequence[str], value: bool) -> None: ...
    def snooze(self, ids: Sequence[str], when: str) -> None: ...
    def reassign(self, ids: Sequence[str], who: str) -> None: ...
    def edit_text(self, task_id: str, text: str) -> None: ...
    def undo(self) -> None: ...
    def users(self) -> list[str]: ...
    def lead_url(self, task: Task) -> str | None: ...


KEYS = (
    ("j / k, arrows", "move"),
    ("g / G", "first / last task"),
    ("space", "mark or unmark the task"),
    ("x", "complete the marked tasks, or the highlighted one (archive: reopen)"),
    ("s", "snooze: asks WHEN (as `closetask snooze`); Enter applies, Esc cancels"),
    ("r", "reassign: asks WHO (→ takes the suggested user)"),
    ("e", "edit a lead task's text"),
    ("u", "undo the last change (the journal `closetask undo` uses)"),
    ("/", "filter by lead, text, subject or phone as you type; Esc clears"),
    ("o", "open the task's lead in Close, in the browser"),
    ("y", "copy that address (OSC 52: works over SSH)"),
    ("ctrl+r", "refresh"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    """The keys; any of Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: auto; max-width: 90%; padding: 1 2; border: round $accent; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in KEYS)
        lines = [f"{key.ljust(width)}  {what}" for key, what in KEYS]
        yield Static(Text("\n".join(["closetask triage: keys", "", *lines]), no_wrap=True), id="help")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


class Prompt(Input):
    """The one-line question at the bottom: Enter answers, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def action_cancel(self) -> None:
        app = self.app
        if isinstance(app, TriageApp):
            app.close_prompt(cancelled=True)


class TriageApp(App[int]):
    """`closetask triage`: the list, the highlighted task, one key per change."""

    TITLE = "closetask triage"
    ENABLE_COMMAND_PALETTE = False  # ctrl+p would be a second, unlisted way to do things
    CSS = """
    #tasks { height: 1fr; border: none; }
    #detail { height: 9; border-top: solid $secondary; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    #status { height: 1; padding: 0 1; background: $boost; }
    #prompt { display: none; }
    #prompt.asking { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
        Binding("space", "mark", "Mark"),
        Binding("x", "complete", "Done"),
        Binding("s", "snooze", "Snooze"),
        Binding("r", "reassign", "Reassign"),
        Binding("e", "edit", "Edit", show=False),
        Binding("u", "undo", "Undo"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("o", "open", "Open"),
        Binding("y", "copy", "Copy link", show=False),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        backend: Backend,
        *,
        open_url: Callable[[str], Any] | None = None,
        refresh_every: float = 0,
        io: Worker | None = None,
        first_load: Future[Listing] | None = None,
    ) -> None:
        super().__init__()
        # A refresh is a whole listing's requests: never more often than every 10 s, so a
        # screen left open stays far inside Close's rate limits. 0: only on ctrl+r.
        self.refresh_every = max(10.0, refresh_every) if refresh_every > 0 else 0.0
        self.backend = backend
        self.listing: Listing | None = None
        self.marked: set[str] = set()
        self.filter_text = ""
        self.notes: list[str] = []
        self._asking: str | None = None
        self._asked_for: list[str] = []
        self._drawn: dict[str, tuple[Any, tuple[int, int, int, int]]] = {}  # task ID -> how its line was drawn
        self._tasks_by_id: dict[str, Task] = {}
        # `io` may come with the first listing already on its way (`first_load`): the command
        # starts it before Textual is imported, so the two overlap.
        self._io = io or Worker()
        self._leaving = False
        self._first_load = first_load
        self._open_url = open_url
        self._loop: asyncio.AbstractEventLoop | None = None
        backend.listen(self._note)

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield OptionList(id="tasks")
        yield Static(Text(""), id="detail")
        yield Static(Text("Loading…"), id="status")
        yield Prompt(id="prompt")
        yield Footer(compact=True)  # every key's label fits on 80 columns

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        if not self.is_headless:
            # SIGTERM/SIGINT (`kill`): leave as q does, the terminal restored, exit 130. The
            # commands' handler raises KeyboardInterrupt, which inside Textual's loop would
            # print a traceback over the screen.
            import signal

            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                try:
                    loop.add_signal_handler(signum, self.exit, INTERRUPTED)
                except (NotImplementedError, RuntimeError, ValueError):  # Windows, not the main thread
                    pass
        self.sub_title = self.backend.view
        self.query_one("#tasks", OptionList).focus()
        self.run_worker(self._reload(keep=None), group="io")
        if self.refresh_every:
            self.set_interval(self.refresh_every, self.refresh_by_itself)

    def refresh_by_itself(self) -> None:
        """Read the list again, keeping the highlighted task and the marks; not while a
        question is open or a change is on its way (its own reload follows it)."""
        busy = any(worker.group == "io" and worker.is_running for worker in self.workers)
        if self._asking is None and not busy:
            self.run_worker(self._reload(keep=self._highlighted_id()), group="io")

    def on_unmount(self) -> None:
        self._io.shutdown()

    # --- what is shown -------------------------------------------------------------------

    @property
    def tasks_list(self) -> OptionList:
        return self.query_one("#tasks", OptionList)

    def highlighted(self) -> Task | None:
        option = self.tasks_list.highlighted_option
        if option is None or option.id is None or self.listing is None:
            return None
        return self._by_id().get(option.id)

    def _by_id(self) -> dict[str, Task]:
        return self._tasks_by_id

    def targets(self) -> list[str]:
        """The marked tasks still listed, in list order; else the highlighted one."""
        listed = [str(task.get("id")) for task in (self.listing.tasks if self.listing else [])]
        marked = [i for i in listed if i in self.marked]
        if marked:
            return marked
        task = self.highlighted()
        return [str(task.get("id"))] if task is not None else []

    def say(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message, no_wrap=True, overflow="ellipsis"))

    def status_text(self) -> str:
        """The status line as plain text (what tests and screenshots read)."""
        content = self.query_one("#status", Static).content
        return content.plain if isinstance(content, Text) else str(content)

    def _draw(self, keep: str | None) -> None:
        """Fill the list from `self.listing` and the filter, the highlight on `keep` (a task
        ID) when it is still listed, else at the same position."""
        listing, widget = self.listing, self.tasks_list
        if listing is None:
            return
        before = widget.highlighted
        tz = self.backend.tz
        rows = task_rows(listing, tz)
        # As the table: HH:MM when grouped by day (blank for date-only tasks), the due day and
        # time in the flat, creation-ordered list; cell widths, so wide characters line up.
        when_w = max((cell_len(row.when) for row in rows), default=0)
        when_w = min(when_w, 5) if listing.grouped else when_w
        kind_w = max((cell_len(row.kind) for row in rows), default=0)
        lead_w = min(24, max((cell_len(row.lead) for row in rows), default=0))
        # Cut "about" to the line, as the table does: a wrapped row reads as two tasks.
        used = 2 + (when_w + 2 if when_w else 0) + kind_w + 2 + lead_w + 2 + 2  # mark, gaps, scrollbar
        about_w = max(8, (widget.size.width or self.size.width) - used)
        widths = (when_w, kind_w, lead_w, about_w)
        options: list[Option] = []
        self._drawn = {}
        number = 0
        for group in listing.groups:
            chunk = list(zip(group.tasks, rows[number : number + len(group.tasks)], strict=True))
            number += len(group.tasks)
            shown = [(task, row) for task, row in chunk if text_matches(task, self.filter_text)]
            if not shown:
                continue
            if group.label:
                style = heading_style(group.day, listing)
                options.append(Option(Text(group.label, style=style), id=f"day:{group.label}", disabled=True))
            for task, row in shown:
                task_id = str(task.get("id"))
                self._drawn[task_id] = (row, widths)
                options.append(Option(self._line(task_id, *self._drawn[task_id]), id=task_id))
        widget.set_options(options)
        ids = [option.id for option in options]
        if keep is not None and keep in ids:
            widget.highlighted = ids.index(keep)
        else:
            enabled = [n for n, option in enumerate(options) if not option.disabled]
            if enabled:
                at = before if before is not None else 0
                widget.highlighted = min(enabled, key=lambda n: (n < at, abs(n - at)))
        self._show_detail()

    def _line(self, task_id: str, row: Any, widths: tuple[int, int, int, int]) -> Text:
        def cell(value: str, width: int, style: str = "") -> Text:
            text = Text(value, style=style)
            text.truncate(width, overflow="ellipsis", pad=True)
            return text

        when_w, kind_w, lead_w, about_w = widths
        mark = Text("● " if task_id in self.marked else "  ", style="bold yellow")
        parts = [mark]
        if when_w:
            parts += [cell(row.when, when_w), Text("  ")]
        parts += [cell(row.kind, kind_w, row.kind_style), Text("  "), cell(row.lead, lead_w), Text("  ")]
        about = Text(row.about)
        about.truncate(about_w, overflow="ellipsis")
        parts.append(about)
        return Text.assemble(*parts, no_wrap=True, overflow="ellipsis")

    def _show_detail(self) -> None:
        task = self.highlighted()
        detail = self.query_one("#detail", Static)
        if task is None:
            empty = self.listing is not None and not len(self.listing)
            detail.update(Text("Nothing to triage here." if empty else ""))
            return
        # Cut, not wrapped: a wrapped line pushes the rest out of the pane (`show` has it whole).
        detail.update(Text("\n".join(detail_lines(task, self.backend.tz)), no_wrap=True, overflow="ellipsis"))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail()

    # --- talking to Close (one worker thread, in order) ----------------------------------

    def _note(self, message: str) -> None:
        """A line from the change flow or the client (on the worker thread): kept for the
        report at the end, and shown at once, so a long wait (Close asking to slow down)
        says what it is waiting for. Never blocks the worker on the screen."""
        self.notes.append(message)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.say, message)

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.wrap_future(self._io.submit(fn, *args))

    async def _reload(self, keep: str | None) -> None:
        first, self._first_load = self._first_load, None
        try:
            listing = await (asyncio.wrap_future(first) if first is not None else self._call(self.backend.load))
        except ClosetaskError as exc:
            self.say(_error_line(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the screen stays up; the line says what broke
            self.say(f"error: {type(exc).__name__}: {exc}")
            return
        self.listing = listing
        self._tasks_by_id = {str(task.get("id")): task for task in listing.tasks}
        listed = set(self._tasks_by_id)
        self.marked &= listed
        self._draw(keep)
        if self.status_text() in ("Loading…", "Refreshing…"):
            self.say(_count(listing))

    def _change(self, working: str, fn: Callable[..., Any], *args: Any, clear_marks: bool = True) -> None:
        task = self.highlighted()
        keep = str(task.get("id")) if task is not None else None
        self.run_worker(self._apply(working, keep, fn, args, clear_marks), group="io")

    async def _apply(
        self, working: str, keep: str | None, fn: Callable[..., Any], args: Sequence[Any], clear_marks: bool
    ) -> None:
        self.say(working)
        self.notes.clear()
        failed = None
        try:
            await self._call(fn, *args)
        except ClosetaskError as exc:
            failed = _error_line(exc)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback over the screen
            failed = f"error: {type(exc).__name__}: {exc}"
        if clear_marks and failed is None:
            self.marked.clear()
        # What Close now holds, whatever happened: a change shows as done only once it is.
        await self._reload(keep)
        self._leaving = False  # the next q with nothing in flight just quits
        said = [note for note in self.notes if not note.startswith("undo with:")]
        # The error first: the line is cut at the screen's edge, and the error is the news
        # (what led to it, such as the waits on a 429, follows).
        self.say(" · ".join([failed, *said] if failed else said) or "Nothing changed.")

    # --- keys ----------------------------------------------------------------------------

    def action_down(self) -> None:
        self.tasks_list.action_cursor_down()

    def action_up(self) -> None:
        self.tasks_list.action_cursor_up()

    def action_first(self) -> None:
        self.tasks_list.action_first()

    def action_last(self) -> None:
        self.tasks_list.action_last()

    def action_mark(self) -> None:
        task = self.highlighted()
        if task is None:
            return
        task_id = str(task.get("id"))
        self.marked.symmetric_difference_update({task_id})
        # Only this line changes: redrawing a 1,000-task list on every space would lag.
        self.tasks_list.replace_option_prompt(task_id, self._line(task_id, *self._drawn[task_id]))
        self.action_down()
        self.say(f"{len(self.marked)} marked" if self.marked else "No task marked.")

    def action_complete(self) -> None:
        ids = self.targets()
        if not ids:
            return
        reopen = self.backend.view == "archive"
        verb = "Reopening" if reopen else "Completing"
        self._change(f"{verb} {_tasks(len(ids))}…", self.backend.set_complete, ids, not reopen)

    def action_undo(self) -> None:
        self._change("Undoing the last change…", self.backend.undo, clear_marks=False)

    def action_refresh(self) -> None:
        task = self.highlighted()
        self.say("Refreshing…")
        self.run_worker(self._reload(keep=str(task.get("id")) if task else None), group="io")

    def action_snooze(self) -> None:
        if self.targets():
            self._ask("snooze", f"Snooze {_tasks(len(self.targets()))} to WHEN (tomorrow, next fri, +2h, 'fri 9am')")

    def action_reassign(self) -> None:
        ids = self.targets()
        if ids:
            self.run_worker(self._ask_who(ids), group="io")

    async def _ask_who(self, ids: list[str]) -> None:
        try:
            users = await self._call(self.backend.users)  # GET /user/ (cached a day): not on the UI thread
        except Exception:  # noqa: BLE001 - completion is a convenience: an email typed in full still works
            users = ["me"]
        question = f"Reassign {_tasks(len(ids))} to WHO (me, an email; → takes the suggestion)"
        self._ask("reassign", question, users=users, ids=ids)

    def action_edit(self) -> None:
        task = self.highlighted()
        if task is None:
            return
        kind = str(task.get("_type"))
        if kind != "lead":
            article = "an" if kind[:1] in ("a", "e", "i", "o", "u") else "a"
            self.say(f"only lead tasks have text that can be changed; this is {article} {kind} task (s moves it)")
            return
        self._ask(
            "edit", "New text (Enter saves, Esc cancels)", value=str(task.get("text") or ""), ids=[str(task.get("id"))]
        )

    def action_filter(self) -> None:
        self._ask("filter", "Filter: lead, text, subject or phone", value=self.filter_text)

    def action_clear_filter(self) -> None:
        if self.filter_text:
            self.filter_text = ""
            self._draw(self._highlighted_id())
            self.say("Filter cleared.")

    def action_open(self) -> None:
        url = self._lead_url()
        if url is None:
            return
        opener = self._open_url
        if opener is None:
            import webbrowser

            opener = webbrowser.open
        try:
            opened = opener(url)
        except Exception as exc:  # noqa: BLE001 - a broken browser setup is one line
            self.say(f"error: could not open a browser ({exc}); y copies {url}")
            return
        self.say(f"Opened {url}" if opened is not False else f"No browser to open {url}; y copies it")

    def action_copy(self) -> None:
        url = self._lead_url()
        if url is not None:
            self.copy_to_clipboard(url)
            self.say(f"Copied {url}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        if self._io.busy and not self._leaving:
            # Leaving now would cut a change short: Close may or may not have it.
            self._leaving = True
            self.say("A request is on its way to Close: q again leaves now (undo --list shows what was sent)")
            return
        self.exit(0)

    # --- the prompt ----------------------------------------------------------------------

    def _ask(
        self,
        what: str,
        placeholder: str,
        *,
        value: str = "",
        users: list[str] | None = None,
        ids: list[str] | None = None,
    ) -> None:
        prompt = self.query_one("#prompt", Prompt)
        self._asking = what
        # The tasks the key was pressed for: a refresh while the question is open moves nothing.
        self._asked_for = ids if ids is not None else self.targets()
        prompt.placeholder = placeholder
        prompt.suggester = SuggestFromList(users, case_sensitive=False) if users else None
        prompt.value = value
        prompt.add_class("asking")
        prompt.focus()

    def close_prompt(self, *, cancelled: bool) -> None:
        prompt = self.query_one("#prompt", Prompt)
        what = self._asking
        self._asking = None
        prompt.remove_class("asking")
        self.tasks_list.focus()
        if cancelled:
            if what == "filter":
                self.filter_text = ""
                self._draw(self._highlighted_id())
            self.say("Cancelled: nothing was changed." if what != "filter" else "Filter cleared.")

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._asking == "filter":
            self.filter_text = event.value
            self._draw(self._highlighted_id())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        what, answer, ids = self._asking, event.value.strip(), self._asked_for
        self.close_prompt(cancelled=False)
        if what == "filter":
            shown = sum(1 for option in self.tasks_list.options if not option.disabled)
            self.say(f"Filter {answer!r}: {_tasks(shown)}" if answer else "Filter cleared.")
        elif not answer:
            self.say("Cancelled: nothing was changed.")
        elif what == "snooze":
            self._change(f"Moving {_tasks(len(ids))} to {answer}…", self.backend.snooze, ids, answer)
        elif what == "reassign":
            self._change(f"Reassigning {_tasks(len(ids))} to {answer}…", self.backend.reassign, ids, answer)
        elif what == "edit" and ids:
            self._change("Saving the text…", self.backend.edit_text, ids[0], event.value, clear_marks=False)

    # --- helpers -------------------------------------------------------------------------

    def _highlighted_id(self) -> str | None:
        task = self.highlighted()
        return str(task.get("id")) if task is not None else None

    def _lead_url(self) -> str | None:
        task = self.highlighted()
        if task is None:
            return None
        url = self.backend.lead_url(task)
        if url is None:
            self.say("This task names no lead.")
        return url


def _tasks(n: int) -> str:
    return f"{n} task{'' if n == 1 else 's'}"


def _count(listing: Listing) -> str:
    overdue = f" · {listing.overdue} overdue" if listing.overdue else ""
    return f"{_tasks(len(listing))}{overdue} · ? for keys"


def _error_line(exc: ClosetaskError) -> str:
    return f"error: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else "")
