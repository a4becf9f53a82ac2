"""`closetask help TOPIC`: the exit codes, the environment and the WHEN grammar, each in one place."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from closetask.cli.lazy_group import command_app

ENVIRONMENT = (
    ("CLOSE_API_KEY", "API key; overrides the profile's api_key."),
    ("CLOSETASK_PROFILE", "Profile to use when --profile is not given."),
    ("CLOSETASK_BASE_URL", "API base URL (https, or http to loopback only)."),
    ("CLOSETASK_TZ", "Time zone: an IANA name (Europe/Berlin) or hours from UTC (-8, 5.5)."),
    (
        "CLOSETASK_HOME",
        "Put config, data (sandbox database), state (journal, row refs, lock) and caches under this directory.",
    ),
    ("CLOSETASK_SANDBOX", "1: run every command against the embedded sandbox, like --sandbox."),
    ("CLOSETASK_NOW", "A fixed 'now' (ISO date-time) for tests, demos and screenshots."),
    ("CLOSETASK_TTY", "The terminal a run counts as shown on (row numbers belong to it); default: its own."),
    ("NO_COLOR", "Any value: no colour in tables (machine output never has colour)."),
    ("COLUMNS", "Terminal width to lay tables out for (0 or not a number: ignored, as if unset)."),
)

TOPICS = ("exit-codes", "environment", "dates")

DATES_HELP = """\
WHEN: the dates you can type (relative forms count from today in the profile's time zone;
`closetask whoami` shows the offset in force).

A day alone (date-only):
  today, tomorrow, yesterday
  fri, friday, next fri         the first Friday after today (on a Friday, a week away)
  next week                     Monday of next week
  +3d, -2w, +1m, 3 days         offsets from today; m is months (31 Jan +1m = 28/29 Feb)
  in 3 days, in 2 weeks         the same as +3d, +2w
  dec 4, 4 dec, december 4th    the next 4 December, today included
  2026-12-04                    that day

A time (timed):
  9am, 14:30, noon, eod         today at that time; eod is the profile's `eod` (default 17:00)
  +2h, +30min, in 2 hours       now plus that, rounded up to 5 minutes
  'fri 10am', 'dec 4 at 14:30'  any day form with a time (quote it: it has a space)
  '2026-12-04 14:30', 2026-12-04T14:30:00+01:00   ISO; without an offset, local time

snooze and edit --date: a day alone keeps a timed task's time of day (snooze 3 fri on a
14:00 call gives Friday 14:00, on the profile's clock); --all-day makes it date-only.
bulk --date sends one date to every task: a day alone makes timed tasks date-only.
Negative offsets need no quotes: closetask snooze 3 -2w.
A time already past today is accepted, with a warning on a terminal.
Filters that take a day (--from, --to, --before, --after) accept the day forms only.
In daylight-saving gaps a skipped time moves forward; a repeated one means the first."""


TOPIC_LINES = {
    "exit-codes": "what each exit code means, and what a script should do",
    "environment": "the environment variables closetask reads",
    "dates": "WHEN: the dates and times you can type",
}


def _complete_topic(incomplete: str) -> list[str]:
    from closetask.cli import COMMANDS

    return [t for t in (*TOPICS, *COMMANDS) if t.startswith(incomplete)]


def help_topic(
    ctx: typer.Context,
    topic: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="[TOPIC | COMMAND...]",
            help="exit-codes, environment or dates; or a command (help config set). Nothing: the list.",
            autocompletion=_complete_topic,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Explain a topic: exit codes, environment variables, or the WHEN date grammar.

    Without a topic, list the topics. With a command, print its --help (closetask help
    snooze is closetask snooze --help).

    Example: closetask help exit-codes
    """
    from closetask.errors import UsageError

    words = topic or []
    if not words:
        print("Help topics (closetask help TOPIC):")
        for name in TOPICS:
            print(f"  {name:<12} {TOPIC_LINES[name]}")
        print("\nA command's help: closetask help COMMAND (or closetask COMMAND --help).")
        return
    first = words[0]
    if first == "exit-codes" and len(words) == 1:
        from closetask.exitcodes import DESCRIPTIONS

        for code, text in DESCRIPTIONS.items():
            print(f"{int(code):>3}  {text}")
    elif first == "environment" and len(words) == 1:
        for name, text in ENVIRONMENT:
            print(f"{name:<20} {text}")
        print("\nPrecedence for every setting: command-line flag > environment > profile > default.")
    elif first == "dates" and len(words) == 1:
        print(DATES_HELP)
    else:
        shown = _command_help(ctx, words)
        if shown is None:
            raise UsageError(
                f"unknown help topic {' '.join(words)!r}: expected one of {', '.join(TOPICS)}, or a command",
                hint="closetask help lists the topics; closetask --help the commands",
            )
        print(shown)


def _command_help(ctx: typer.Context, words: list[str]) -> str | None:
    """`closetask WORDS --help`'s text, or None when WORDS name no command."""
    root = ctx.find_root()
    command: Any = root.command
    parent: Any = root
    for word in words:
        get = getattr(command, "get_command", None)
        sub = get(parent, word) if get is not None else None
        if sub is None:
            return None
        parent = sub.make_context(word, [], parent=parent, resilient_parsing=True)
        command = sub
    return str(command.get_help(parent))


# Looked up by the root group only when `help` runs (cli/lazy_group.py).
commands = command_app()
commands.command("help")(help_topic)
