"""Random sequences of what reps and cron jobs do, checked after every step against the server.

A Hypothesis state machine runs `closetask` in-process (`main(argv, env)`) against the
embedded sandbox: tables on a terminal and listings in a pipe, `done`/`reopen` by row and by
ID, `snooze`, `reassign`, `add`, `bulk`, `undo`, a colleague's change or deletion made over
raw HTTP, and server faults switched on between steps (5xx bursts, answers lost after the
change was applied, a 500 on a read). After every step the server's state is read over raw
HTTP and these must hold:

- nothing changed that the command did not name (its IDs, its row's task, its bulk selection,
  the entry undo reverts);
- undo changes only fields of the entry it reverts, and never a task changed after that entry
  (by a colleague or a later command of ours);
- the counts `bulk --json` reports are what the server holds (`changed` exactly, or within
  `unknown` when answers were lost and could not be read back);
- the journal covers every change (what changed is in the entry's `touched`), and an entry
  marked `applied` is what the server holds;
- no traceback, no "unexpected error", and only documented exit codes.

The default run is short (the suite stays quick); a long run:
    CLOSETASK_STATEFUL_EXAMPLES=500 CLOSETASK_STATEFUL_STEPS=25 python -m pytest -q \\
        tests/actions/test_sequences_stateful.py
(500 sequences of up to 25 steps, about 10,000 steps; see README, Development.)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sandboxproc import FIXED_NOW, TEST_TTY

FIELDS = ("is_complete", "date", "assigned_to")
EXIT_CODES = {0, 1, 2, 3, 4, 5}
START = datetime.fromisoformat(FIXED_NOW)
WHENS = ("tomorrow", "mon", "+3d", "fri 14:30", "2026-12-10")
FAULTS = {
    "none": {},
    "503 burst on PUTs": {"fail_method": "PUT", "fail_mode": "503", "fail_window": (1, 2)},
    "PUT answers lost": {"fail_method": "PUT", "fail_mode": "reset-after", "fail_window": (1, 40)},
    "first PUT lost": {"fail_method": "PUT", "fail_mode": "reset-after", "fail_window": (1, 1)},
    "POST answer lost": {"fail_method": "POST", "fail_mode": "reset-after", "fail_window": (1, 1)},
    "500 on a read": {"fail_method": "GET", "fail_mode": "500", "fail_window": (3, 3)},
    "504 on PUTs": {"fail_method": "PUT", "fail_mode": "504", "fail_window": (2, 40)},
}


class Sequences(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.home = Path(tempfile.mkdtemp(prefix="closetask-seq-"))
        self.step = 0
        self.faults: dict[str, Any] = {}
        self.rows: list[str] = []  # the last table's tasks, row N at N-1
        self.touched_at: dict[str, int] = {}  # task -> last step a colleague changed it
        self.entry_step: dict[str, int] = {}  # journal entry -> the step that wrote it
        self.me = ""
        self.emails: list[str] = []
        self.leads: list[str] = []

    def teardown(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)

    # --- plumbing -----------------------------------------------------------------------

    def now(self) -> datetime:
        # Two minutes a step: a colleague's change is later than an entry by more than the
        # minute of grace undo gives the two clocks (date_updated is compared).
        return START + timedelta(minutes=2 * self.step)

    def environ(self) -> dict[str, str]:
        return {
            "CLOSETASK_HOME": str(self.home),
            "CLOSETASK_NOW": self.now().isoformat(),
            "CLOSETASK_TZ": "UTC",
            "COLUMNS": "120",
            "PATH": os.environ.get("PATH", ""),
        }

    def cli(self, *args: str, terminal: bool = False) -> tuple[int, str, str]:
        from closetask.cli import main
        from closetask.env import Env

        out, err = io.StringIO(), io.StringIO()
        env = Env(
            environ=self.environ(),
            stdin=io.StringIO(""),
            stdout=out,
            stderr=err,
            stdin_tty=False,
            stdout_tty=terminal,
            stderr_tty=False,
            tty_name=TEST_TTY if terminal else "",
            sleep=lambda seconds: None,  # retries without waiting
        )
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(["--sandbox", *args], env)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        stderr = err.getvalue()
        assert "Traceback" not in stderr and "unexpected error" not in stderr, (args, stderr)
        assert code in EXIT_CODES, (args, code, stderr)
        return code, out.getvalue(), stderr

    def http(self) -> httpx.Client:
        """A colleague (and this test) talking to the same database, with no faults."""
        from closetask.sandbox import embedded

        db = self.home / "data" / "sandbox.sqlite3"
        return httpx.Client(
            transport=REAL_TRANSPORT(db, now=self.now()),
            base_url=embedded.BASE_URL,
            auth=(embedded.api_key(db), ""),
        )

    def server(self) -> dict[str, tuple]:
        """id -> (is_complete, date, assigned_to) of every task, in a stable order (by when
        and what it was created: an added task's ID is random, and drawing by ID would make
        the same choices pick other tasks on a replay)."""
        with self.http() as http:
            params = {"_type": "all", "_fields": "id,date_created,text," + ",".join(FIELDS), "_limit": 1000}
            body = http.get("task/", params=params)
            body.raise_for_status()
            data = body.json()
        assert not data["has_more"]
        tasks = sorted(data["data"], key=lambda t: (t.get("date_created") or "", t.get("text") or "", t["id"]))
        return {t["id"]: tuple(t.get(f) for f in FIELDS) for t in tasks}

    def entries(self) -> list[Any]:
        from closetask.state.journal import UndoJournal

        path = self.home / "state" / "profiles" / "sandbox" / "journal.jsonl"
        return UndoJournal(path).entries() if path.exists() else []

    def act(self, *args: str, terminal: bool = False) -> tuple[int, str, dict, dict, list]:
        """Run a command one step later; the server before and after, and the journal after."""
        self.step += 1
        before = self.server()
        known = {e.id for e in self.entries()}
        code, out, _ = self.cli(*args, terminal=terminal)
        after = self.server()
        entries = self.entries()
        for entry in entries:
            if entry.id not in known:
                self.entry_step[entry.id] = self.step
        return code, out, before, after, entries

    @staticmethod
    def changed(before: dict, after: dict) -> set[str]:
        return {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}

    def open_ids(self) -> list[str]:
        return sorted(i for i, (done, _, who) in self.server().items() if not done and who == self.me)

    def check_new_entry(self, before: dict, after: dict, entries: list, named: set[str]) -> None:
        """What changed is what was named and is in the new entry's `touched`; an `applied`
        entry's confirmed tasks hold what it set."""
        changed = self.changed(before, after)
        assert changed <= named, f"changed tasks nobody named: {changed - named}"
        new = [e for e in entries if self.entry_step.get(e.id) == self.step]
        if not changed:
            return
        assert new, "tasks changed with no journal entry"
        touched = {i for e in new for i in e.touched}
        assert changed <= touched, f"changed but not in the journal: {changed - touched}"
        for entry in new:
            if entry.status != "applied" or entry.action == "create":
                continue
            for task_id in entry.sent:
                holds = dict(zip(FIELDS, after[task_id], strict=True))
                for name, value in entry.changes_for(task_id).items():  # a timed task keeps its time
                    if name in holds:
                        assert _same(name, holds[name], value), (entry.command, task_id, name, holds[name], value)

    # --- set-up -------------------------------------------------------------------------

    @initialize()
    def seed(self) -> None:
        code, out, _ = self.cli("inbox", "--json")
        assert code == 0
        with self.http() as http:
            me = http.get("me/").json()
            users = http.get("user/").json()["data"]
        self.me = me["id"]
        self.emails = sorted(u["email"] for u in users if u.get("organizations"))
        self.leads = sorted({t["lead_id"] for t in json.loads(out) if t.get("lead_id")})

    # --- the user's steps ---------------------------------------------------------------

    @rule(fault=st.sampled_from(sorted(FAULTS)))
    def set_faults(self, fault: str) -> None:
        self.faults = FAULTS[fault]

    @rule(view=st.sampled_from(["inbox", "future"]))
    def table(self, view: str) -> None:
        """A table on the terminal: its rows are what `done N` means next."""
        self.faults = {}  # the listing itself is not what is tested here
        code, out, before, after, _ = self.act(view, "--json")
        assert code == 0 and before == after
        shown = [t["id"] for t in json.loads(out)]
        code, _, _, _, _ = self.act(view, "--table", terminal=True)
        assert code == 0
        self.rows = shown

    @rule()
    def piped_listing(self) -> None:
        """A listing in a pipe (another pane, a status bar) must not change what rows mean."""
        code, _, before, after, _ = self.act("inbox", "--assignee", "all")
        assert before == after and code in (0, 1, 5)

    @precondition(lambda self: bool(self.rows))
    @rule(data=st.data(), verb=st.sampled_from(["done", "reopen", "snooze"]))
    def by_row(self, data: st.DataObject, verb: str) -> None:
        row = data.draw(st.integers(1, len(self.rows)), label="row")
        args = [verb, str(row)] + ([data.draw(st.sampled_from(WHENS), label="when")] if verb == "snooze" else [])
        code, _, before, after, entries = self.act(*args, terminal=True)
        self.check_new_entry(before, after, entries, {self.rows[row - 1]})

    @rule(data=st.data(), verb=st.sampled_from(["done", "reopen", "snooze", "reassign"]))
    def by_id(self, data: st.DataObject, verb: str) -> None:
        ids = list(self.server())
        named = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True), label="ids")
        extra: list[str] = []
        if verb == "snooze":
            extra = [data.draw(st.sampled_from(WHENS), label="when")]
        elif verb == "reassign":
            extra = ["--assign-to", data.draw(st.sampled_from(self.emails), label="who")]
        code, _, before, after, entries = self.act(verb, *named, *extra)
        self.check_new_entry(before, after, entries, set(named))

    @precondition(lambda self: bool(self.leads))
    @rule(data=st.data())
    def add(self, data: st.DataObject) -> None:
        lead = data.draw(st.sampled_from(self.leads), label="lead")
        code, _, before, after, entries = self.act("add", f"Step {self.step + 1}", "--lead", lead, "--date", "tomorrow")
        created = set(after) - set(before)
        assert len(created) <= 1 and not self.changed(before, after) - created
        if code == 0:
            assert len(created) == 1

    @rule(data=st.data(), action=st.sampled_from(["--complete", "--reopen"]))
    def bulk(self, data: st.DataObject, action: str) -> None:
        ids = list(self.server())
        named = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=12, unique=True), label="ids")
        args = ["bulk", *(f"--id={i}" for i in named), action, "--yes", "--json"]
        code, out, before, after, entries = self.act(*args)
        self.check_new_entry(before, after, entries, set(named))
        if code in (0, 3) and out.strip():
            summary = json.loads(out)
            really = len(self.changed(before, after))
            # Counts are what the server holds: exactly, or within those nobody could confirm.
            assert summary["changed"] <= really <= summary["changed"] + summary["unknown"], (summary, really)
            assert summary["gone"] == 0  # nobody deletes during a step here
            assert summary["matched"] == (
                summary["changed"] + summary["gone"] + summary["failed"] + summary["not_sent"] + summary["skipped"]
            )

    @rule(force=st.booleans())
    def undo(self, force: bool) -> None:
        entries = self.entries()
        from closetask.core.journal import is_undoable

        target = next((e for e in reversed(entries) if is_undoable(e)), None)
        code, _, before, after, after_entries = self.act("undo", "--yes", *(["--force"] if force else []))
        changed = self.changed(before, after)
        if target is None:
            assert not changed
            return
        if target.action == "create":
            assert changed <= set(before) - set(after), "undo of an add only deletes"
            return
        assert changed <= set(target.touched), f"undo changed what its entry did not: {changed - set(target.touched)}"
        for task_id in changed:
            moved = {f for f, a, b in zip(FIELDS, before[task_id], after[task_id], strict=True) if a != b}
            assert moved <= set(target.changes), (task_id, moved, target.changes)
        if force:
            return
        since = self.entry_step.get(target.id, 0)
        later_ours = {
            i for e in entries if self.entry_step.get(e.id, 0) > since and e.status != "undone" for i in e.touched
        }
        later_theirs = {i for i, at in self.touched_at.items() if at > since}
        destroyed = changed & (later_ours | later_theirs)
        if os.environ.get("PROBE"):
            print(
                "UNDO",
                target.command,
                code,
                len(changed),
                len(later_theirs & set(target.touched)),
                since,
                self.touched_at,
            )
        assert not destroyed, f"undo overwrote later work on {destroyed}"

    @rule(data=st.data(), field=st.sampled_from(["is_complete", "date", "assigned_to", "delete"]))
    def colleague(self, data: st.DataObject, field: str) -> None:
        """A colleague changes or deletes any task in Close (raw HTTP, no faults)."""
        self.step += 1
        self._colleague(data, data.draw(st.sampled_from(list(self.server())), label="task"), field)

    @precondition(lambda self: bool(self._last_touched()))
    @rule(data=st.data(), field=st.sampled_from(["is_complete", "date", "assigned_to", "delete"]))
    def colleague_after_us(self, data: st.DataObject, field: str) -> None:
        """... a task the last command that undo would revert changed: where undo must not
        overwrite the colleague (a random one of ~70 tasks would almost never be)."""
        self.step += 1
        self._colleague(data, data.draw(st.sampled_from(self._last_touched()), label="task"), field)

    def _last_touched(self) -> list[str]:
        from closetask.core.journal import is_undoable

        target = next((e for e in reversed(self.entries()) if is_undoable(e)), None)
        ids = set(self.server())
        return [i for i in target.touched if i in ids] if target is not None else []

    def _colleague(self, data: st.DataObject, task_id: str, field: str) -> None:
        with self.http() as http:
            if field == "delete":
                http.delete(f"task/{task_id}/").raise_for_status()
            else:
                current = dict(zip(FIELDS, self.server()[task_id], strict=True))
                value: Any = {
                    "is_complete": not current["is_complete"],
                    "date": data.draw(st.sampled_from(["2026-12-01", "2026-12-03T15:00:00+00:00"]), label="date"),
                    "assigned_to": data.draw(st.sampled_from(sorted(self._user_ids()) or [self.me]), label="user"),
                }[field]
                http.put(f"task/{task_id}/", json={field: value}).raise_for_status()
        self.touched_at[task_id] = self.step

    def _user_ids(self) -> set[str]:
        with self.http() as http:
            return {u["id"] for u in http.get("user/").json()["data"] if u.get("organizations")}

    @invariant()
    def journal_is_readable(self) -> None:
        # Every entry folds (no damaged line), and an interrupted one is never left pending
        # by a finished in-process run.
        for entry in self.entries():
            assert entry.status in ("applied", "partial", "failed", "undone"), (entry.command, entry.status)


def _same(name: str, now: Any, set_to: Any) -> bool:
    from closetask.core.conflicts import same_value

    return same_value(name, now, set_to)


REAL_TRANSPORT: Any = None


def test_random_sequences_keep_every_promise(monkeypatch):
    """The state machine above, in-process, faults injected into the embedded sandbox."""
    global REAL_TRANSPORT
    from closetask.sandbox import embedded
    from closetask.sandbox.faults import Faults

    REAL_TRANSPORT = embedded.transport
    machines: list[Sequences] = []

    def faulty(db: Any, *, now: Any = None, faults: Any = None) -> Any:
        machine = machines[-1]
        options = machine.faults
        return REAL_TRANSPORT(db, now=now, faults=Faults(**options) if options else None)

    monkeypatch.setattr(embedded, "transport", faulty)

    def make() -> Sequences:
        machines.append(Sequences())
        return machines[-1]

    examples = int(os.environ.get("CLOSETASK_STATEFUL_EXAMPLES", "12"))
    steps = int(os.environ.get("CLOSETASK_STATEFUL_STEPS", "15"))
    run_state_machine_as_test(
        make,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
