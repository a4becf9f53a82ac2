"""Exit codes: one enum, documented in `closetask help exit-codes`."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success, an empty list included
    ERROR = 1  # API error, state files not writable, another bulk running, or an unexpected error
    USAGE = 2  # bad usage or input (command line or environment); nothing was sent
    PARTLY_DONE = 3  # some tasks changed, some not: rerun (or undo --force) to finish
    CONFIG = 4  # no API key, key rejected, or a broken config file; nothing else
    NETWORK = 5  # network failure, time-out, or rate limit not cleared
    INTERRUPTED = 130  # Ctrl-C / SIGTERM


# README's exit-code table says the same, word for word (tests/docs/test_help_texts.py).
DESCRIPTIONS = {
    ExitCode.OK: "Success, an empty list included.",
    ExitCode.ERROR: (
        "Close answered with an error, closetask's own files (undo journal, change lock) cannot be written, "
        "another bulk of the profile is running, or something unexpected went wrong."
    ),
    ExitCode.USAGE: (
        "Bad usage or input, on the command line or in the environment: an unknown option, a bad WHEN, REF "
        "or number, a bad setting (config set, config use, CLOSETASK_TZ, CLOSETASK_PROFILE, CLOSETASK_BASE_URL), "
        "a missing --yes, over --max; nothing was changed."
    ),
    ExitCode.PARTLY_DONE: (
        "Partly done: some tasks changed, some not; the message says which and what finishes the job "
        "(the same command again, or undo ENTRY --force for tasks undo left alone); the journal says what was sent."
    ),
    ExitCode.CONFIG: (
        "No API key (none set, or api_key_command failed), the key was rejected, or the config file is broken. "
        "Nothing else."
    ),
    ExitCode.NETWORK: "Network failure, time-out, or a rate limit that did not clear after retries.",
    ExitCode.INTERRUPTED: "Interrupted (Ctrl-C or SIGTERM); a bulk stops after the chunks in flight.",
}
