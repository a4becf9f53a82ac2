"""Option definitions shared by several commands, and shell completers.

Completers run on every <TAB>: they read only local files and never touch the network.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from closetask.core.task_types import TASK_TYPES


def complete_profiles(incomplete: str) -> list[str]:
    try:
        from closetask.config import load_file

        names = sorted(load_file().get("profiles", {}))
    except Exception:  # noqa: BLE001 - a broken config must not break completion
        return []
    return [n for n in names if n.startswith(incomplete)]


def complete_types(incomplete: str) -> list[str]:
    # --type takes comma-separated lists: complete the last item.
    head, _, last = incomplete.rpartition(",")
    prefix = head + "," if head else ""
    return [prefix + t for t in (*TASK_TYPES, "all") if t.startswith(last)]


def complete_assignee(incomplete: str) -> list[str]:
    return [v for v in ("me", "all") if v.startswith(incomplete)]


def complete_settings(incomplete: str) -> list[str]:
    from closetask.config import PROFILE_KEYS

    return [k for k in PROFILE_KEYS if k.startswith(incomplete)]


def complete_order(incomplete: str) -> list[str]:
    return [v for v in ("date", "-date", "created", "-created") if v.startswith(incomplete)]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (Close's own task objects) on stdout.")]
# For commands whose JSON is closetask's own (settings, profiles, the user), not task objects.
JsonInfoOpt = Annotated[bool, typer.Option("--json", help="Print the same information as a JSON object on stdout.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask; required when not on a terminal.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="Print the requests that would be sent; send none.")]
BULK_DEFAULT_MAX = 500  # matches that make a bulk refuse to run unless --max says more

# Who gets tasks, in add, reassign and bulk alike (the flag vocabulary: cli/filters.py).
AssignToOpt = Annotated[
    Optional[str],
    typer.Option("--assign-to", "-a", metavar="WHO", help="me, a user's email, or a user ID.", show_default=False),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force", help="Act on rows whose task changed since the table was shown (gone, done, moved, given away)."
    ),
]

RefsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="REF...",
        help="Row numbers from the last listing, task IDs (task_..., noti_...), Close addresses, or - to read them from stdin.",
        show_default=False,
    ),
]
RefArg = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help="A row number from the last listing, a task ID (task_..., noti_...), or a Close address.",
        show_default=False,
    ),
]
