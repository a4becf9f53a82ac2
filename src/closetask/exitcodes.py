"""Exit codes: one enum, documented in `closetask help exit-codes`."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success, an empty list included
    ERROR = 1  # API error, another bulk running, or an unexpected error
    USAGE = 2  # bad usage or input; nothing was sent
    PARTLY_DONE = 3  # some tasks changed, some not: rerun (or undo --force) to finish
    CONFIG = 4  # no API key, key rejected, or a config problem
    NETWORK = 5  # network failure, time-out, or rate limit not cleared
    INTERRUPTED = 130  # Ctrl-C / SIGTERM


DESCRIPTIONS = {
    ExitCode.OK: "Success (an empty list too).",
    ExitCode.ERROR: "Close answered with an error, another bulk is running for the profile, or something unexpected went wrong.",
    ExitCode.USAGE: "Bad usage or input (unknown option, bad WHEN or REF, missing --yes); nothing was changed.",
    ExitCode.PARTLY_DONE: (
        "Partly done: some tasks changed, some not; the message says which and what finishes the job "
        "(the same command again, or `undo ENTRY --force` for tasks undo left alone); the journal says what was sent."
    ),
    ExitCode.CONFIG: "No API key, the key was rejected, or the config file is broken.",
    ExitCode.NETWORK: "Network failure, time-out, or a rate limit that did not clear after retries.",
    ExitCode.INTERRUPTED: "Interrupted (Ctrl-C or SIGTERM); a bulk stops after the chunks in flight.",
}
