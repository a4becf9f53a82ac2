"""Target 4, bulk against the per-task way: complete 10,000 stale tasks (dated before today,
all assignees) on `closetask sandbox serve --latency 20`:

- closetask: `closetask bulk --assignee all --before today --complete --yes --max 10000`,
  with the default profile (listing 4 pages at a time, PUTs 2 chunks at a time after the
  first) and with `closetask config set concurrency 4` (the same: bulk caps its PUTs at 2);
- Close's way: bench/closeio_complete.py (closeio's Client: IDs with _fields=id, then one
  PUT per task).

Same server options, same data (the database is reset to the same seed before each run),
one run each; closetask must be at least 50x faster in wall time. --quick: 2,000 tasks.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from harness import BENCH, CLOSETASK, NOW, PY, Context, Row, count_requests, env, fresh_dir, reset_db, say, server
from harness import run as run_child

SPEEDUP = 50.0
LATENCY_MS = 20


@dataclass
class Outcome:
    seconds: float
    completed: int  # tasks the database shows completed afterwards
    gets: int
    puts: int
    note: str


def run(ctx: Context) -> None:
    stale = 2_000 if ctx.quick else 10_000
    tasks = stale * 5  # the seed dates a fifth of its tasks before today, all incomplete
    work = fresh_dir(ctx, "bulk")
    db = work / "sandbox.sqlite3"
    say(f"bulk: {tasks:,} tasks, {stale:,} of them stale; sandbox serve --latency {LATENCY_MS}")
    bulk = [
        CLOSETASK,
        "bulk",
        "--assignee",
        "all",
        "--before",
        "today",
        "--complete",
        "--yes",
        "--max",
        str(stale),
        "--json",
    ]

    ours: dict[int | None, Outcome] = {}
    for concurrency in (None, 4):  # None: the default profile, no concurrency set
        home = fresh_dir(ctx, f"bulk-client-{concurrency or 'default'}")
        if concurrency is not None:
            run_child([CLOSETASK, "config", "set", "concurrency", str(concurrency)], env=env(home))
        outcome = ours[concurrency] = _once(
            db, tasks, home, bulk, lambda out: f"{json.loads(out)['changed']:,} changed"
        )
        say(f"  closetask bulk, {_setting(concurrency)}: {_describe(outcome)}")
    closeio = [PY, str(BENCH / "closeio_complete.py"), "{base_url}", "{api_key}", NOW[:10]]
    theirs = _once(db, tasks, work / "closeio", closeio, lambda out: out.strip())
    say(f"  closeio, one PUT per task: {_describe(theirs)}")

    for concurrency, outcome in ours.items():
        ratio = theirs.seconds / outcome.seconds
        same = outcome.completed == theirs.completed == stale
        ctx.add(
            Row(
                "bulk",
                f"complete {stale:,} stale tasks, latency {LATENCY_MS} ms ({_setting(concurrency)}): >= {SPEEDUP:g}x faster than closeio per task",
                f"{outcome.seconds:.1f} s vs {theirs.seconds:.1f} s = {ratio:.0f}x; {outcome.gets} GETs + {outcome.puts} PUTs "
                f"vs {theirs.gets} + {theirs.puts}; completed {outcome.completed:,} / {theirs.completed:,}",
                ratio >= SPEEDUP and same,
                ("" if concurrency is None else f"closetask config set concurrency {concurrency}; ")
                + f"closetask bulk --assignee all --before today --complete --yes --max {stale}  vs  bench/closeio_complete.py",
            )
        )


def _once(db: Path, tasks: int, home: Path, argv: list[str], note) -> Outcome:
    """Reset the data to seed 1, serve it with latency, run `argv` once against it."""
    reset_db(db, tasks)
    before = _completed(db)
    with server(db, "--latency", str(LATENCY_MS)) as srv:
        argv = [a.format(base_url=srv.base_url, api_key=srv.api_key) for a in argv]
        result = run_child(argv, env=srv.client_env(home), capture=True)
        lines = srv.log_lines()
    if result.returncode != 0:
        raise RuntimeError(f"{argv[1]} failed: {result.stderr.decode(errors='replace')[-2000:]}")
    return Outcome(
        result.seconds,
        _completed(db) - before,
        count_requests(lines, "GET", "task/"),
        count_requests(lines, "PUT", "task/"),
        note(result.stdout.decode()),
    )


def _setting(concurrency: int | None) -> str:
    return "default profile" if concurrency is None else f"profile concurrency {concurrency}"


def _describe(o: Outcome) -> str:
    return f"{o.seconds:.1f} s, {o.gets} GETs + {o.puts} PUTs; {o.note}; {o.completed:,} completed in the database"


def _completed(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM tasks WHERE is_complete = 1").fetchone()[0]
