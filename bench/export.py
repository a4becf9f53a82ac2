"""Target 5, big exports: `closetask archive --jsonl` of 100,000 tasks streams (its first
line arrives while the server has answered only a few of the pages) with a peak RSS under
100 MB and no more than 10% above the peak for 10,000 tasks; with 20 ms of latency per
request, `--concurrency 4` is at least 3x faster than `--concurrency 1`, and every export
holds each completed task exactly once.

Data: `sandbox reset --tasks 4N` gives exactly N completed tasks (a quarter of the seed's
tasks are done), so `archive --assignee all` exports N. --quick: N = 20,000 and 2,000.
The concurrency comparison runs on every export of at least 10,000 tasks.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness import CLOSETASK, Context, Row, Server, fresh_dir, median, ms, reset_db, say, server

MEMORY_LIMIT_MB = 100
GROWTH_LIMIT = 1.10
SPEEDUP = 3.0
LATENCY_MS = 20


@dataclass
class Export:
    lines: int
    unique: int
    first_line: float  # seconds after spawn
    total: float
    pages_at_first_line: int  # GETs the server had answered when the first line arrived
    pages: int
    maxrss_mb: float
    returncode: int
    client_cpu: float  # seconds of CPU, user + system
    server_cpu: float


def export(srv: Server, home: Path, *extra: str) -> Export:
    """Run `closetask archive --assignee all --jsonl`, reading its stdout as it streams."""
    srv.clear_log()
    argv = [CLOSETASK, "archive", "--assignee", "all", "--jsonl", *extra]
    server_cpu = _cpu(srv.process.pid)
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=srv.client_env(home), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ids: set[bytes] = set()
    lines = 0
    first = 0.0
    pages_at_first = 0
    tail = b""
    assert proc.stdout is not None
    peak_kb = 0
    while chunk := os.read(proc.stdout.fileno(), 1 << 20):
        peak_kb = max(peak_kb, _high_water_kb(proc.pid))
        if not first:
            first = time.perf_counter() - started
            pages_at_first = sum(1 for line in srv.log_lines() if line.startswith("GET /api/v1/task/"))
        *complete, tail = (tail + chunk).split(b"\n")
        for line in complete:
            lines += 1
            # {"id":"task_...", ...: the task's own id is the first key
            ids.add(line[7 : line.index(b'"', 7)])
    peak_kb = max(peak_kb, _high_water_kb(proc.pid))  # at EOF the child has not exited yet
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    pages = sum(1 for line in srv.log_lines() if line.startswith("GET /api/v1/task/"))
    return Export(
        lines,
        len(ids),
        first,
        total,
        pages_at_first,
        pages,
        (peak_kb or usage.ru_maxrss) / 1024,
        proc.returncode,
        usage.ru_utime + usage.ru_stime,
        _cpu(srv.process.pid) - server_cpu,
    )


def _high_water_kb(pid: int) -> int:
    """The child's peak RSS so far (VmHWM), 0 where /proc is missing. Not ru_maxrss: the
    child is forked from this process, and Linux carries the RSS it had before exec into
    ru_maxrss, so the child's figure could never be below this bench's own size (the
    100,000-task export read 41 MB there, against 33 MB in the child's own VmHWM)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def completed(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM tasks WHERE is_complete = 1").fetchone()[0]


def run(ctx: Context) -> None:
    big, small = (20_000, 2_000) if ctx.quick else (100_000, 10_000)
    work = fresh_dir(ctx, "export")
    results: dict[int, Export] = {}
    for n in (small, big):
        db = work / f"export-{n}.sqlite3"
        say(f"export: seeding {4 * n:,} tasks ({n:,} completed) ...")
        seconds = reset_db(db, 4 * n)
        expected = completed(db)
        say(f"  reset took {seconds:.1f} s; {expected:,} completed tasks to export")
        with server(db) as srv:
            result = results[n] = export(srv, work / "client")
            say(
                f"  {n:,}: {result.lines:,} lines ({result.unique:,} unique ids) in {result.total:.1f} s; "
                f"first line after {ms(result.first_line)} (server had answered {result.pages_at_first_line} of "
                f"{result.pages} GETs); peak RSS {result.maxrss_mb:.1f} MB"
            )
            exact = result.returncode == 0 and result.lines == result.unique == expected
            ctx.add(
                Row(
                    "export",
                    f"archive --jsonl of {n:,} tasks: every task once",
                    f"{result.lines:,} lines, {result.unique:,} unique, {expected:,} expected",
                    exact,
                    "closetask archive --assignee all --jsonl",
                )
            )
            if n == big:
                ctx.add(
                    Row(
                        "export",
                        f"{n:,} tasks stream: first line before the last page",
                        f"first line at {ms(result.first_line)} of {result.total:.1f} s, after {result.pages_at_first_line} of {result.pages} GETs",
                        result.pages_at_first_line < result.pages,
                        "closetask archive --assignee all --jsonl | ...",
                    )
                )
        if n >= 10_000:  # enough pages for start-up (~0.3 s) not to decide the ratio
            _concurrency(ctx, db, work, expected)
    peak, base = results[big].maxrss_mb, results[small].maxrss_mb
    ctx.add(
        Row(
            "export",
            f"peak RSS for {big:,} < {MEMORY_LIMIT_MB} MB and <= {GROWTH_LIMIT:.2f}x the peak for {small:,}",
            f"{peak:.1f} MB vs {base:.1f} MB = {peak / base:.3f}x",
            peak < MEMORY_LIMIT_MB and peak <= GROWTH_LIMIT * base,
            "closetask archive --assignee all --jsonl (the child's VmHWM, read as it streams)",
        )
    )


def _concurrency(ctx: Context, db: Path, work: Path, expected: int) -> None:
    """The same export against `sandbox serve --latency 20`: 1 page at a time vs 4,
    alternating, the median of 3 runs each (1 for 100,000 tasks: a serial run is ~50 s)."""
    repeat = 1 if expected >= 50_000 else 3
    runs: dict[int, list[Export]] = {1: [], 4: []}
    bare: dict[int, list[float]] = {1: [], 4: []}
    with server(db, "--latency", str(LATENCY_MS)) as srv:
        for _ in range(repeat):
            for concurrency in runs:
                runs[concurrency].append(export(srv, work / "client", "--concurrency", str(concurrency)))
        query = next(line.split()[1] for line in srv.log_lines() if line.startswith("GET /api/v1/task/"))
        for _ in range(repeat):
            for concurrency in bare:
                bare[concurrency].append(_bare_read(srv, query, expected, concurrency))
    for concurrency, results in runs.items():
        r = sorted(results, key=lambda x: x.total)[len(results) // 2]
        say(
            f"  latency {LATENCY_MS} ms, --concurrency {concurrency}: {', '.join(f'{x.total:.1f}' for x in results)} s; "
            f"{r.pages} GETs, {r.lines:,} lines, {r.unique:,} unique; CPU: closetask {r.client_cpu:.1f} s, sandbox server {r.server_cpu:.1f} s"
        )
    serial, parallel = (median([x.total for x in runs[c]]) for c in (1, 4))
    exact = all(x.returncode == 0 and x.lines == x.unique == expected for xs in runs.values() for x in xs)
    ratio = serial / parallel
    ctx.add(
        Row(
            "export",
            f"{expected:,} tasks, latency {LATENCY_MS} ms: --concurrency 4 >= {SPEEDUP:g}x faster than 1, none lost or repeated",
            f"{serial:.1f} s vs {parallel:.1f} s = {ratio:.2f}x (median of {repeat}); every run {expected:,} lines, all unique: {exact}",
            ratio >= SPEEDUP and exact,
            f"closetask archive --assignee all --jsonl --concurrency 4 (vs 1), sandbox serve --latency {LATENCY_MS}",
        )
    )
    one, four = (median(bare[c]) for c in (1, 4))
    say(
        f"  the same pages read by a bare httpx loop (no CLI start-up, no JSONL), 1 vs 4 at a time: {one:.1f} s vs {four:.1f} s = {one / four:.1f}x"
    )
    ctx.add(
        Row(
            "export",
            f"{expected:,} tasks, latency {LATENCY_MS} ms: the ceiling this server sets (a bare httpx loop, same pages, 1 vs 4 at a time)",
            f"{one:.1f} s vs {four:.1f} s = {one / four:.2f}x (median of {repeat})",
            None,
            "bench/export.py _bare_read: GET the same URL at every _skip, json-decode, count",
        )
    )


def _bare_read(srv: Server, query: str, expected: int, concurrency: int) -> float:
    """Seconds for a minimal client to GET every page of `query` (closetask's own first
    URL), `concurrency` at a time, and decode them: what the server allows, without
    closetask's start-up or output. Checks the count so that it measures a full read."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import parse_qsl, urlsplit

    import httpx

    parts = urlsplit(query)
    params = {k: v for k, v in parse_qsl(parts.query) if k not in ("_skip", "_limit")}
    path = parts.path.removeprefix("/api/v1/")
    with httpx.Client(base_url=srv.base_url, auth=(srv.api_key, "")) as client:

        def page(skip: int) -> int:
            return len(client.get(path, params={**params, "_skip": skip, "_limit": 100}).json()["data"])

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            count = sum(pool.map(page, range(0, expected, 100)))
    if count != expected:
        raise RuntimeError(f"bare read got {count} tasks, not {expected}")
    return time.perf_counter() - started
