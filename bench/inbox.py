"""Target 2, a rep's inbox: `closetask --sandbox inbox` with ~200 tasks, rendered as the
table (stdout is a pseudo-terminal, COLUMNS=120), at most 4x `python -c "import typer"`.

The embedded sandbox answers in-process (SQLite + the WSGI app behind an httpx transport),
so this is closetask's own cost end to end: start-up, settings, /me/ (cached after the
first run), the listing, grouping and Rich's table.
"""

from __future__ import annotations

import re

from harness import CLOSETASK, PY, Context, Row, env, fresh_dir, median, ms, reset_db, say, timed_rounds
from harness import run as run_child

TARGET = 4.0
# With the fixed NOW of harness.py and seed 1, the key's user has 202 inbox tasks.
TASKS = 697


def run(ctx: Context) -> None:
    home = fresh_dir(ctx, "inbox")
    reset_db(home / "data" / "sandbox.sqlite3", TASKS)
    child = env(home)
    inbox = [CLOSETASK, "--sandbox", "inbox"]
    ids = run_child([*inbox, "--ids"], env=child, capture=True)
    count = len(ids.stdout.split())
    shown = run_child(inbox, env=child, tty=True, capture=True)
    text = shown.stdout.decode(errors="replace")
    rows = len(re.findall(r"^\s*│?\s*\d+\s", _plain(text), flags=re.M))
    say(
        f"inbox: {count} tasks for the key's user ({TASKS} in the sandbox); on a terminal the table shows {rows} numbered rows"
    )
    if shown.returncode != 0 or "\t" in text or rows < count:
        raise RuntimeError(f"the inbox did not render as a table (exit {shown.returncode}):\n{text[:2000]}")
    commands = {"import typer": ([PY, "-c", "import typer"], child), "inbox": (inbox, child)}
    times = timed_rounds(commands, ctx.runs, tty=True)
    base, took = median(times["import typer"]), median(times["inbox"])
    ratio = took / base
    ctx.add(
        Row(
            "inbox",
            f"inbox of {count} tasks as a table <= {TARGET:g}x import typer",
            f"{ms(took)} vs {ms(base)} = {ratio:.2f}x",
            ratio <= TARGET,
            f"COLUMNS=120 closetask --sandbox inbox  (on a pty; sandbox reset --tasks {TASKS})",
        )
    )


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
