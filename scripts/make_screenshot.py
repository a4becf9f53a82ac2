"""Write docs/inbox.svg: the real `closetask --sandbox inbox`, recorded by Rich.

The command runs in-process against the embedded sandbox's demo data in a throw-away
CLOSETASK_HOME, at a fixed "now" (Saturday 28 Nov 2026, 10:00 UTC), so the picture is the same
on every machine and changes only when the table's code or the demo data change. The table
goes to a recording Rich console forced to act as a 100-column colour terminal; Rich exports
that as SVG.

Usage: python scripts/make_screenshot.py [--check] [--out PATH]
  --check  exit 1 when docs/inbox.svg differs from what the code renders now
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "inbox.svg"
TITLE = "closetask --sandbox inbox"
WIDTH = 100
FIXED_ENV = {
    "CLOSETASK_NOW": "2026-11-28T10:00:00+00:00",
    "CLOSETASK_TZ": "UTC",
    "CLOSETASK_SANDBOX": "1",
}
# Settings a user's shell might carry that would change the picture.
CLEARED_ENV = ("CLOSE_API_KEY", "CLOSETASK_PROFILE", "CLOSETASK_BASE_URL", "NO_COLOR", "FORCE_COLOR", "COLUMNS")


def render() -> str:
    """Run `closetask --sandbox inbox` in-process and return the SVG text."""
    from rich.console import Console

    from closetask.cli import main
    from closetask.session import Session

    console = Console(
        record=True,
        width=WIDTH,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
        soft_wrap=False,
        file=open(os.devnull, "w"),  # noqa: SIM115 - recorded, not shown
    )
    saved_env = {name: os.environ.get(name) for name in (*FIXED_ENV, *CLEARED_ENV, "CLOSETASK_HOME")}
    # The views decide "table or TSV" from stdout_isatty and print the table on ctx.obj.out;
    # stderr stays "not a terminal" so no spinner is drawn meanwhile.
    saved_attrs = {name: Session.__dict__[name] for name in ("stdout_isatty", "stderr_isatty", "out")}
    try:
        with tempfile.TemporaryDirectory(prefix="closetask-screenshot-") as home:
            for name in CLEARED_ENV:
                os.environ.pop(name, None)
            os.environ.update(FIXED_ENV, CLOSETASK_HOME=home)
            Session.stdout_isatty = property(lambda self: True)  # type: ignore[assignment]
            Session.stderr_isatty = property(lambda self: False)  # type: ignore[assignment]
            Session.out = property(lambda self: console)  # type: ignore[assignment]
            try:
                main(["--sandbox", "inbox"])
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise RuntimeError(f"closetask --sandbox inbox exited {exc.code}") from None
    finally:
        for name, attr in saved_attrs.items():
            setattr(Session, name, attr)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        console.file.close()
    if not console.export_text(clear=False).strip():
        raise RuntimeError("closetask --sandbox inbox printed no table")
    return console.export_svg(title=TITLE)


def main(argv: list[str]) -> int:
    out = OUT
    if "--out" in argv:
        out = Path(argv[argv.index("--out") + 1])
    svg = render()
    if "--check" in argv:
        if not out.exists() or out.read_text(encoding="utf-8") != svg:
            print(f"{out} is stale: run python scripts/make_screenshot.py", file=sys.stderr)
            return 1
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(svg, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
