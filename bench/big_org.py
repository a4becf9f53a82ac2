"""Big organizations (issue 17): Close's `_skip` cap, rate limits and page size.

- paging: `closetask archive --assignee all --jsonl` of N completed tasks on
  `sandbox serve --max-skip 500` at page_size 100 and 1000: requests, time, peak RSS, every
  task once (a `_skip`-paged listing stops at the cap; ranges never meet it);
- rate limit: `closetask bulk --assignee all --before today --complete --yes` of N stale tasks on
  `sandbox serve --rate-limit 20 --latency 20`: time against the floor (each endpoint group's
  requests / 20 per second, the busiest group) and 429s (target: <= 1.15x the floor, zero 429s).

--quick: 20,000 tasks exported, 2,000 in the bulk; else 100,000 and 10,000.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from harness import CLOSETASK, Context, Row, env, fresh_dir, reset_db, say, server
from harness import run as run_child

LIMIT = 20
LATENCY_MS = 20


def run(ctx: Context) -> None:
    _paging(ctx)
    _rate_limit(ctx)


def _paging(ctx: Context) -> None:
    count = 20_000 if ctx.quick else 100_000
    work = fresh_dir(ctx, "bigorg-paging")
    db = work / "sandbox.sqlite3"
    reset_db(db, count * 4)  # the seed completes a quarter of its tasks
    say(f"bigorg paging: archive --jsonl of {count:,} completed tasks, sandbox serve --max-skip 500")
    with server(db, "--max-skip", "500") as srv:
        for page_size in (100, 1000):
            home = fresh_dir(ctx, f"bigorg-home-{page_size}")
            run_child([CLOSETASK, "config", "set", "page_size", str(page_size)], env=env(home))
            srv.clear_log()
            result = run_child(
                [CLOSETASK, "archive", "--assignee", "all", "--jsonl", "--fields", "id"],
                env=srv.client_env(home),
                capture=True,
            )
            ids = [json.loads(line)["id"] for line in result.stdout.decode().splitlines()]
            gets = [ln for ln in srv.log_lines() if ln.startswith("GET /api/v1/task/")]
            refused = sum(1 for ln in gets if ln.endswith(" 400"))
            whole = result.returncode == 0 and len(ids) == len(set(ids)) == count
            ctx.add(
                Row(
                    "bigorg",
                    f"archive --jsonl of {count:,} past a _skip cap of 500, page_size {page_size}: every task once",
                    f"{len(ids):,} lines, {len(set(ids)):,} unique, exit {result.returncode}; {len(gets)} GETs "
                    f"({refused} refused); {result.seconds:.1f} s; peak RSS {result.maxrss_kb / 1024:.0f} MB",
                    whole,
                    f"closetask config set page_size {page_size}; closetask archive --assignee all --jsonl "
                    "(sandbox serve --max-skip 500)",
                )
            )


def _rate_limit(ctx: Context) -> None:
    stale = 2_000 if ctx.quick else 10_000
    work = fresh_dir(ctx, "bigorg-rate")
    db = work / "sandbox.sqlite3"
    reset_db(db, stale * 5)  # the seed dates a fifth of its tasks before today
    say(f"bigorg rate limit: bulk of {stale:,} stale tasks, sandbox serve --rate-limit {LIMIT} --latency {LATENCY_MS}")
    with server(db, "--rate-limit", str(LIMIT), "--latency", str(LATENCY_MS)) as srv:
        home = fresh_dir(ctx, "bigorg-rate-home")
        argv = [CLOSETASK, "bulk", "--assignee", "all", "--before", "today", "--complete", "--yes"]
        result = run_child([*argv, "--max", str(stale), "--json"], env=srv.client_env(home), capture=True)
        lines = srv.log_lines()
    groups = Counter(
        (ln.split(" ")[0], re.sub(r"/[a-z]+_[^/?]+", "/{id}", ln.split(" ")[1].split("?")[0])) for ln in lines
    )
    refused = sum(1 for ln in lines if ln.endswith(" 429"))
    floor = max(groups.values()) / LIMIT
    changed = json.loads(result.stdout or b"{}").get("changed") if result.returncode == 0 else None
    ratio = result.seconds / floor if floor else 0.0
    ctx.add(
        Row(
            "bigorg",
            f"bulk of {stale:,} at --rate-limit {LIMIT}, latency {LATENCY_MS} ms: <= 1.15x the floor, zero 429s",
            f"{result.seconds:.1f} s vs floor {floor:.1f} s = {ratio:.2f}x; {refused} 429s; {len(lines)} requests "
            f"({', '.join(f'{m} {p}: {n}' for (m, p), n in groups.most_common())}); changed {changed}",
            ratio <= 1.15 and refused == 0 and changed == stale,
            f"closetask bulk --assignee all --before today --complete --yes --max {stale} "
            f"(sandbox serve --rate-limit {LIMIT} --latency {LATENCY_MS})",
        )
    )
