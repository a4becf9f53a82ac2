"""`closetask report --assignee all` beside `closetask archive --ids --assignee all` and the two
listings it covers (`inbox --ids`, `future --ids`), on a sandbox of N tasks (default 10,000;
`python bench/report_requests.py 100000`): requests sent and wall time of each. report must
cost the same requests as listing the same tasks with --ids. Prints a table; asserts nothing.

Uses the embedded sandbox (`--sandbox`) in a temporary CLOSETASK_HOME, seeded with
`closetask sandbox reset --tasks N`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "report --assignee all --json": ["report", "--assignee", "all", "--json"],
    "inbox --ids --assignee all": ["inbox", "--ids", "--assignee", "all"],
    "future --ids --assignee all": ["future", "--ids", "--assignee", "all"],
    "archive --ids --assignee all": ["archive", "--ids", "--assignee", "all"],
}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    exe = [str(Path(sys.executable).with_name("closetask"))]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CLOSETASK_HOME": home, "CLOSETASK_NOW": "2026-11-28T10:00:00+00:00"}
        db = Path(home) / "data" / "sandbox.sqlite3"
        db.parent.mkdir(parents=True)
        subprocess.run([*exe, "sandbox", "reset", "--db", str(db), "--tasks", str(count)], env=env, check=True)
        print(f"sandbox of {count:,} tasks")
        print("| command | requests | seconds |\n|---|---|---|")
        for label, args in COMMANDS.items():
            started = time.perf_counter()
            run = subprocess.run([*exe, "--sandbox", "--debug", *args], env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            requests = sum(1 for line in run.stderr.splitlines() if line.startswith("debug: GET"))
            print(f"| closetask {label} | {requests} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
