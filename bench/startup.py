"""Target 1, start-up: `closetask --help`, `--version` and `config path` at most 1.3x
`python -c "import typer"` (medians of interleaved runs, bytecode compiled).

Also the figures behind two choices: plain click help instead of Rich's (the same --help
rendered both ways), and typer 0.28 instead of 0.29 (which imports pydantic whenever a
subcommand runs; measured in a throwaway venv, bench/.venv-typer029, when it can be built).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness import BENCH, CLOSETASK, PY, REPO, Context, Row, env, fresh_dir, median, ms, say, timed_rounds

TARGET = 1.3
_HELP_IN_PROCESS = """
import sys
from closetask.cli import app, main
if {rich!r}:
    app.rich_markup_mode = "rich"
try:
    main(["--help"])
except SystemExit:
    pass
"""
_IMPORTS = """
import sys
import typer
before = set(sys.modules)
from closetask.cli import main
try:
    main({args!r})
except SystemExit:
    pass
extra = sorted(m for m in set(sys.modules) - before if not m.startswith(("closetask", "typer")))
print(",".join(extra), file=sys.stderr)
"""


def run(ctx: Context) -> None:
    home = fresh_dir(ctx, "startup")
    child = env(home)
    floor = ([PY, "-c", "import typer"], child)
    commands = {
        "import typer": floor,
        "closetask --help": ([CLOSETASK, "--help"], child),
        "closetask --version": ([CLOSETASK, "--version"], child),
        "closetask config path": ([CLOSETASK, "config", "path"], child),
    }
    say(f"start-up: {ctx.runs} interleaved rounds of {len(commands)} commands (bytecode compiled)")
    times = timed_rounds(commands, ctx.runs)
    base = median(times["import typer"])
    say(f"  python -c 'import typer': median {ms(base)}")
    for name in list(commands)[1:]:
        ratio = median(times[name]) / base
        ctx.add(
            Row(
                "startup",
                f"{name} <= {TARGET}x import typer",
                f"{ms(median(times[name]))} = {ratio:.2f}x",
                ratio <= TARGET,
                name,
            )
        )
    for args in (["--help"], ["config", "path"]):
        proc = subprocess.run([PY, "-c", _IMPORTS.format(args=args)], env=child, capture_output=True, text=True)
        extra = [m for m in proc.stderr.strip().split(",") if m]
        heavy = [m for m in extra if m.split(".")[0] in ("httpx", "rich", "sqlite3", "pydantic")]
        say(
            f"  closetask {' '.join(args)} imports beyond typer and closetask: {', '.join(extra) or 'nothing'}; heavy: {heavy or 'none'}"
        )
    _rich_help(ctx, child)
    _typer_029(ctx, home)


def _rich_help(ctx: Context, child: dict[str, str]) -> None:
    """The same `--help`, plain (the choice) and Rich-formatted (typer's default)."""
    commands = {
        "plain": ([PY, "-c", _HELP_IN_PROCESS.format(rich=False)], child),
        "rich": ([PY, "-c", _HELP_IN_PROCESS.format(rich=True)], child),
    }
    times = timed_rounds(commands, max(10, ctx.runs // 2))
    plain, rich = median(times["plain"]), median(times["rich"])
    ctx.add(
        Row(
            "startup",
            "choice: plain click help (rich_markup_mode=None) vs Rich help",
            f"--help {ms(plain)} plain vs {ms(rich)} Rich: Rich costs +{ms(rich - plain)}",
            None,
            "closetask --help with app.rich_markup_mode = None vs 'rich'",
        )
    )


def _typer_029(ctx: Context, home: Path) -> None:
    """closetask itself on typer 0.29 (a throwaway venv), against this venv's 0.28."""
    venv = BENCH / ".venv-typer029"
    python = venv / "bin" / "python"
    if not python.exists():
        say("  building bench/.venv-typer029 (typer 0.29.2, closetask --no-deps) ...")
        try:
            subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
            pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
            subprocess.run(
                [*pip, "typer==0.29.2", "rich", "httpx", "platformdirs", "tomli-w"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            subprocess.run(
                [*pip, "--no-deps", "-e", str(REPO)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            ctx.add(
                Row("startup", "choice: typer 0.28 vs 0.29", f"skipped: could not build the venv ({exc})", None, "-")
            )
            return
    closetask_029 = str(venv / "bin" / "closetask")
    child = env(home)
    commands = {
        "0.28 import typer": ([PY, "-c", "import typer"], child),
        "0.29 import typer": ([str(python), "-c", "import typer"], child),
        "0.28 config path": ([CLOSETASK, "config", "path"], child),
        "0.29 config path": ([closetask_029, "config", "path"], child),
        "0.29 import pydantic": ([str(python), "-c", "import typer, pydantic"], child),
    }
    times = timed_rounds(commands, max(10, ctx.runs // 2))
    t = {name: median(values) for name, values in times.items()}
    ctx.add(
        Row(
            "startup",
            "choice: typer 0.28 vs 0.29 (closetask config path)",
            f"{ms(t['0.28 config path'])} on 0.28 vs {ms(t['0.29 config path'])} on 0.29 "
            f"(+{ms(t['0.29 config path'] - t['0.28 config path'])}; 0.29's config path = "
            f"{t['0.29 config path'] / t['0.29 import typer']:.2f}x its own import typer; "
            f"import pydantic alone +{ms(t['0.29 import pydantic'] - t['0.29 import typer'])})",
            None,
            "bench/.venv-typer029/bin/closetask config path",
        )
    )
