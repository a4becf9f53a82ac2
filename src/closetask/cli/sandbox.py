"""`closetask sandbox serve|reset`: the local Close emulator over HTTP, and its demo data.

The sandbox modules are imported inside the commands: `closetask --help` must not pay for
sqlite3 or the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from closetask.cli.lazy_group import command_app
from closetask.errors import UsageError

app = command_app(
    name="sandbox",
    help=(
        "Run the local Close emulator (demo data, fault injection) for trying closetask and for tests.\n\n"
        "Example: closetask sandbox serve --port 8765"
    ),
    no_args_is_help=True,
)

DbOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--db", help="Sandbox database file; default: sandbox.sqlite3 in closetask's data dir.", show_default=False
    ),
]


def _db_path(db: Path | None) -> Path:
    if db is not None:
        return db.expanduser()
    from closetask.config import data_dir

    return data_dir() / "sandbox.sqlite3"


def _faults(
    latency: float,
    fail_rate: float,
    fail_mode: str,
    fail_method: str | None,
    fail_window: str | None,
    fail_seed: int,
    rate_limit: int | None,
    rate_limit_style: str,
):
    from closetask.sandbox.faults import Faults, parse_window

    try:
        window = parse_window(fail_window) if fail_window else None
        return Faults(
            latency_ms=latency,
            fail_rate=fail_rate,
            fail_mode=fail_mode.lower(),
            fail_method=fail_method,
            fail_window=window,
            rate_limit=rate_limit,
            rate_limit_style=rate_limit_style.lower(),
            seed=fail_seed,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; loopback only unless --allow-remote.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 0,
    db: DbOpt = None,
    api_key: Annotated[
        Optional[str],
        typer.Option("--api-key", help="Key clients must send; default: the database's key.", show_default=False),
    ] = None,
    log: Annotated[
        Optional[Path], typer.Option(help="Append one line per request: METHOD PATH?QUERY STATUS.", show_default=False)
    ] = None,
    latency: Annotated[float, typer.Option(help="Delay every response by this many milliseconds.")] = 0.0,
    fail_rate: Annotated[float, typer.Option(help="Share of requests (0..1) answered with --fail-mode.")] = 0.0,
    fail_mode: Annotated[
        str, typer.Option(help="503, 500, 502, 504, reset, reset-after (apply, then drop), html, empty, truncated.")
    ] = "503",
    fail_method: Annotated[
        Optional[str], typer.Option(help="Only requests of this method can fail (e.g. PUT).", show_default=False)
    ] = None,
    fail_window: Annotated[
        Optional[str],
        typer.Option(help="Fail exactly the eligible requests numbered A..B (1-based), e.g. 3:5.", show_default=False),
    ] = None,
    fail_seed: Annotated[int, typer.Option(help="Seed of --fail-rate's random draws.")] = 0,
    rate_limit: Annotated[
        Optional[int],
        typer.Option(
            help="Answer 429 beyond N requests per second per key and endpoint group (method and path), as Close limits.",
            show_default=False,
        ),
    ] = None,
    rate_limit_style: Annotated[
        str,
        typer.Option(
            help="429 form: retry-after (headers and JSON), ratelimit (RateLimit only), bare (nothing), "
            "flat (the older flat JSON, rate_reset a string, no rate headers)."
        ),
    ] = "retry-after",
    max_skip: Annotated[
        int,
        typer.Option(
            help="Refuse a /task/ `_skip` beyond N with Close's 400 (its cap for tasks is not published).", min=0
        ),
    ] = 250000,
    hold_listing: Annotated[
        Optional[str],
        typer.Option(
            help="N:PATH: the Nth GET /task/ waits (up to 60 s) until PATH exists, so a test can change "
            "tasks between two pages.",
            show_default=False,
        ),
    ] = None,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Allow a --host that is not loopback.")] = False,
) -> None:
    """Serve Close's task API from the sandbox over HTTP until Ctrl-C.

    Prints `base_url=...` and `api_key=...` on stdout, one line each, then serves with
    keep-alive until interrupted (SIGINT or SIGTERM: exit 0).

    Example: closetask sandbox serve --port 8765 --latency 20
    """
    import sys

    from closetask.sandbox.app import SandboxApp
    from closetask.sandbox.embedded import open_store
    from closetask.sandbox.server import is_loopback
    from closetask.sandbox.server import serve as run

    faults = _faults(latency, fail_rate, fail_mode, fail_method, fail_window, fail_seed, rate_limit, rate_limit_style)
    hold = None
    if hold_listing is not None:
        number, _, hold_path = hold_listing.partition(":")
        if not number.isdigit() or int(number) < 1 or not hold_path:
            raise UsageError(f"--hold-listing {hold_listing!r} must look like N:PATH, e.g. 3:/tmp/go")
        hold = (int(number), hold_path)
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is out of range (0-65535)")
    if api_key is not None and not api_key.strip():
        raise UsageError("--api-key must not be empty")
    if not allow_remote and not is_loopback(host):
        raise UsageError(f"refusing to listen on {host}: not a loopback address (add --allow-remote to insist)")
    path = _db_path(db)
    if db is not None and not path.parent.is_dir():
        # A typo in --db would otherwise serve a new, freshly seeded database elsewhere.
        raise UsageError(f"--db {db}: no directory {path.parent}", hint=f"closetask sandbox reset --db {db} creates it")
    store = open_store(path)
    key = api_key or store.api_key or ""
    log_file = open(log, "a", encoding="utf-8") if log else None  # noqa: SIM115 - lives until exit
    sandbox = SandboxApp(store, faults=faults, log=log_file, api_key=key, max_skip=max_skip, hold=hold)

    def ready(base_url: str) -> None:
        print(f"base_url={base_url}", flush=True)
        print(f"api_key={key}", flush=True)
        print(f"sandbox: serving {store.count_tasks()} tasks from {store.path}; Ctrl-C stops", file=sys.stderr)

    try:
        run(sandbox, host, port, ready, allow_remote=allow_remote)
    except OSError as exc:  # port taken, address not on this machine
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        store.close()
        if log_file:
            log_file.close()


@app.command()
def reset(
    db: DbOpt = None,
    tasks: Annotated[int, typer.Option(help="Number of tasks to create.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed and day give the same tasks.")] = 1,
) -> None:
    """Replace the sandbox data with fresh demo tasks dated around today.

    Keeps the API key. Users, organization and leads keep their IDs.

    Example: closetask sandbox reset --tasks 200 --seed 7
    """
    import sys
    import time

    from closetask.sandbox import seed as demo
    from closetask.sandbox.store import Store

    if not 0 <= tasks <= 1_000_000:
        raise UsageError(f"--tasks {tasks} is out of range (0-1000000)")
    path = _db_path(db)
    started = time.perf_counter()
    store = Store(path)
    try:
        summary = demo.reset(store, tasks=tasks, seed=seed)
    finally:
        store.close()
    print(
        f"sandbox reset: {summary['tasks']} tasks, {summary['leads']} leads, {summary['users']} users "
        f"(seed {seed}) in {path} ({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
