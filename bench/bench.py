"""closetask's benchmarks (issue 8): run by `bench/run [SECTION ...] [--quick] [--runs N]`.

Each section prints its figures as it goes (medians of repeated runs; ratios measured side
by side in the same run) and whether its target is met; the end prints one summary table
and writes it to bench/results/latest.md (and .json). Timings live here, never in tests/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BENCH, Context, compile_bytecode, say  # noqa: E402

# section -> module; bulk last: it is the longest
MODULES = {
    "startup": "startup",
    "inbox": "inbox",
    "triage": "triage",
    "requests": "request_counts",
    "export": "export",
    "sandbox": "sandbox_speed",
    "bigorg": "big_org",
    "bulk": "bulk_vs_closeio",
}
SECTIONS = tuple(MODULES)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options; `sections` is the tuple of sections to run."""
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "sections",
        nargs="*",
        default="all",
        choices=[*SECTIONS, "all"],
        metavar="SECTION",
        help=f"one or more of: {', '.join(SECTIONS)}, all (default)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller scales (bulk 2,000 tasks, export 20,000) and fewer runs; the figures say which",
    )
    parser.add_argument("--runs", type=int, default=None, help="start-up rounds (default 20; --quick 10)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (databases, logs)")
    args = parser.parse_args(argv)
    # The default is the string "all", not ["all"]: argparse checks a `*` default against the
    # choices as one value, and a list is never among them ("invalid choice: ['all']").
    given = [args.sections] if isinstance(args.sections, str) else args.sections
    args.sections = SECTIONS if "all" in given else tuple(s for s in SECTIONS if s in given)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = args.sections
    ctx = Context(quick=args.quick, runs=args.runs or (10 if args.quick else 20))

    compile_bytecode()
    say(f"closetask bench: {', '.join(chosen)}{' (--quick)' if args.quick else ''}")
    say(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; work dir {ctx.workdir}"
    )
    say("bytecode: `python -m compileall -q src` ran first (as an install would); times are wall clock")
    started = time.monotonic()
    try:
        for name in chosen:
            say(f"\n== {name} ==")
            __import__(MODULES[name]).run(ctx)
    finally:
        if not args.keep:
            shutil.rmtree(ctx.workdir, ignore_errors=True)
    _summary(ctx, chosen, time.monotonic() - started)
    return 0 if all(row.met is not False for row in ctx.rows) else 1


def _summary(ctx: Context, chosen: tuple[str, ...], seconds: float) -> None:
    lines = [
        "| section | target | measured | met? | command |",
        "|---|---|---|---|---|",
        *(f"| {r.section} | {r.target} | {r.measured} | {_verdict(r.met)} | `{r.command}` |" for r in ctx.rows),
    ]
    say(f"\n== summary ({seconds:.0f} s; load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}) ==")
    say("\n".join(lines))
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text("\n".join(lines) + "\n")
    (results / "latest.json").write_text(
        json.dumps(
            {
                "sections": chosen,
                "quick": ctx.quick,
                "seconds": round(seconds),
                "cores": os.cpu_count(),
                "rows": [asdict(r) for r in ctx.rows],
            },
            indent=2,
        )
        + "\n"
    )


def _verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "-"}[met]


if __name__ == "__main__":
    sys.exit(main())
