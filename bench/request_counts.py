"""Target 3, requests: listing N tasks costs ceil(N / page size) GETs plus at most one /me/
(cached afterwards); a bulk change of N tasks costs the listing plus ceil(N / chunk) PUTs.
Counted from `closetask sandbox serve --log`, one line per request the server answered.
"""

from __future__ import annotations

import json
import math

from harness import CLOSETASK, Context, Row, count_requests, fresh_dir, reset_db, say, server
from harness import run as run_child

PAGE = 100  # closetask's default page size (config page_size)
CHUNK = 100  # IDs per bulk PUT (core.changes.CHUNK_SIZE)
TASKS = 3000


def run(ctx: Context) -> None:
    work = fresh_dir(ctx, "requests")
    db = work / "sandbox.sqlite3"
    reset_db(db, TASKS)
    home = work / "client"
    with server(db) as srv:
        child = srv.client_env(home)
        say(f"requests: {TASKS} tasks in the sandbox; page size {PAGE}, bulk chunk {CHUNK}")
        listings = [
            ("inbox (first run: /me/ not cached yet)", ["inbox", "--ids"], 1),
            ("inbox (again: /me/ cached)", ["inbox", "--ids"], 0),
            ("future", ["future", "--ids"], 0),
            ("archive --assignee all", ["archive", "--assignee", "all", "--ids"], 0),
            (
                "archive --assignee all --type voicemail",
                ["archive", "--assignee", "all", "--type", "voicemail", "--ids"],
                0,
            ),
        ]
        for label, args, me_allowed in listings:
            srv.clear_log()
            result = run_child([CLOSETASK, *args], env=child, capture=True)
            assert result.returncode == 0, result.stderr
            n = len(result.stdout.split())
            lines = srv.log_lines()
            gets, me = count_requests(lines, "GET", "task/"), count_requests(lines, "GET", "me/")
            others = len(lines) - gets - me
            want = max(1, math.ceil(n / PAGE))
            ok = gets == want and me <= me_allowed and others == 0
            ctx.add(
                Row(
                    "requests",
                    f"{label}, {n} tasks: {want} GETs + <= {me_allowed} /me/",
                    f"{gets} GET /task/, {me} GET /me/, {others} other",
                    ok,
                    f"closetask {' '.join(args)}",
                )
            )
        # With --concurrency, pages past the end may already be on their way when the last
        # one says has_more=false: at most concurrency - 1 more GETs.
        srv.clear_log()
        args = ["archive", "--assignee", "all", "--ids", "--concurrency", "4"]
        result = run_child([CLOSETASK, *args], env=child, capture=True)
        n = len(result.stdout.split())
        gets = count_requests(srv.log_lines(), "GET", "task/")
        want = math.ceil(n / PAGE)
        ctx.add(
            Row(
                "requests",
                f"list {n} tasks, 4 pages at a time: {want} to {want + 3} GETs",
                f"{gets} GET /task/",
                want <= gets <= want + 3,
                f"closetask {' '.join(args)}",
            )
        )

        srv.clear_log()
        args = ["bulk", "--assignee", "all", "--before", "today", "--complete", "--yes", "--max", str(TASKS), "--json"]
        result = run_child([CLOSETASK, *args], env=child, capture=True)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        n = data["matched"]
        lines = srv.log_lines()
        gets, puts = count_requests(lines, "GET", "task/"), count_requests(lines, "PUT", "task/")
        me = count_requests(lines, "GET", "me/")
        others = len(lines) - gets - puts - me
        want_gets, want_puts = math.ceil(n / PAGE), math.ceil(data["changed"] / CHUNK)
        # The selection may list several pages at once: up to 3 more GETs past the end.
        ok = (
            want_gets <= gets <= want_gets + 3
            and puts == want_puts
            and me <= 1
            and others == 0
            and data["changed"] == n
        )
        ctx.add(
            Row(
                "requests",
                f"bulk-complete {n} tasks: the listing ({want_gets} GETs, + <= 3 if 4 at a time) + {want_puts} PUTs",
                f"{gets} GET /task/, {puts} PUT /task/, {me} GET /me/, {others} other; {data['changed']} changed",
                ok,
                f"closetask {' '.join(args)}",
            )
        )
