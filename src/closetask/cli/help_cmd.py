"""`closetask help TOPIC`: the exit codes, the environment and the WHEN grammar, each in one place."""

from __future__ import annotations

from typing import Annotated

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
    ("COLUMNS", "Terminal width to lay tables out for."),
)

TOPICS = ("exit-codes", "environment", "dates")


def _complete_topic(incomplete: str) -> list[str]:
    return [t for t in TOPICS if t.startswith(incomplete)]


def help_topic(
    topic: Annotated[str, typer.Argument(help="exit-codes, environment or dates.", autocompletion=_complete_topic)],
) -> None:
    """Explain a topic: exit codes, environment variables, or the WHEN date grammar.

    Example: closetask help exit-codes
    """
    from closetask.errors import UsageError

    if topic == "exit-codes":
        from closetask.exitcodes import DESCRIPTIONS

        for code, text in DESCRIPTIONS.items():
            print(f"{int(code):>3}  {text}")
    elif topic == "environment":
        for name, text in ENVIRONMENT:
            print(f"{name:<20} {text}")
        print("\nPrecedence for every setting: command-line flag > environment > profile > default.")
    elif topic == "dates":
        from closetask.core.when import ACCEPTED_FORMS

        print(f"WHEN accepts: {ACCEPTED_FORMS}.")
        print("A day alone makes a date-only task; a day with a time makes a date-time task.")
        print("Days are the profile's local days (see `closetask whoami` for the offset in force).")
    else:
        raise UsageError(f"unknown help topic {topic!r}: expected one of {', '.join(TOPICS)}")


# Looked up by the root group only when `help` runs (cli/lazy_group.py).
commands = command_app()
commands.command("help")(help_topic)
