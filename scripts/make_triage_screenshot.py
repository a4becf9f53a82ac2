"""Write docs/triage.svg: the real `closetask --sandbox triage`, drawn by Textual headless.

Like scripts/make_screenshot.py: the embedded sandbox's demo data in a throw-away
CLOSETASK_HOME at a fixed "now" (Saturday 28 Nov 2026, 10:00 UTC), so the picture changes
only when the screen's code or the demo data change. Two tasks are marked and the third is
highlighted, to show what a mark looks like; nothing is changed.

Usage: python scripts/make_triage_screenshot.py [--check]
  --check  exit 1 when docs/triage.svg differs from what the code draws now
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "triage.svg"
SIZE = (100, 30)
FIXED_ENV = {"CLOSETASK_NOW": "2026-11-28T10:00:00+00:00", "CLOSETASK_TZ": "UTC"}
CLEARED_ENV = ("CLOSE_API_KEY", "CLOSETASK_PROFILE", "CLOSETASK_BASE_URL", "NO_COLOR", "FORCE_COLOR", "COLUMNS")


def render() -> str:
    """Draw the triage screen on the demo data and return the SVG text."""
    from closetask.cli.filters import build_query
    from closetask.cli.triage import make_app
    from closetask.env import Env
    from closetask.session import Session

    saved = {name: os.environ.get(name) for name in (*FIXED_ENV, *CLEARED_ENV, "CLOSETASK_HOME")}
    try:
        with tempfile.TemporaryDirectory(prefix="closetask-screenshot-") as home:
            for name in CLEARED_ENV:
                os.environ.pop(name, None)
            os.environ.update(FIXED_ENV, CLOSETASK_HOME=home)
            session = Session(sandbox=True, env=Env(stdin_tty=True, stdout_tty=True, tty_name=""))
            app = make_app(session, "inbox", build_query(session, view="inbox", default_order="date"))
            svg: list[str] = []

            async def draw() -> None:
                async with app.run_test(size=SIZE) as pilot:
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                    await pilot.press("space", "space")
                    await pilot.pause()
                    svg.append(app.export_screenshot(title="closetask --sandbox triage"))

            asyncio.run(draw())
            session.close()
            return svg[0]
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv: list[str]) -> int:
    fresh = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != fresh:
            print(f"{OUT.relative_to(ROOT)} is stale: run python scripts/make_triage_screenshot.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(fresh, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
