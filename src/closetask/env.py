"""Everything a run takes from its process: the environment variables, the three streams and
whether each is a terminal, the clock, and the directories derived from them.

`main(argv, env)` takes one; tests build their own (a fixed clock, a temporary home, a
"terminal" stdin) instead of patching classes. A stream left as None is the process's own,
read when used, so redirections made after the Env was built still count.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from closetask.errors import UsageError

ENV_NOW = "CLOSETASK_NOW"  # a fixed "now" (ISO date-time) for tests, demos and screenshots
ENV_TTY = "CLOSETASK_TTY"  # the terminal a run counts as shown on (row numbers), when it has none


@dataclass(frozen=True)
class Env:
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    stdin: IO[str] | None = None
    stdout: IO[str] | None = None
    stderr: IO[str] | None = None
    # None: ask the stream. True/False: what a test or an embedding program says it is.
    stdin_tty: bool | None = None
    stdout_tty: bool | None = None
    stderr_tty: bool | None = None
    # The controlling terminal's name (row numbers belong to it); None: find it; "": none.
    tty_name: str | None = None
    # Where requests go: None, the network (or the embedded sandbox with --sandbox). Tests and
    # programs embedding closetask pass an httpx transport (a fake Close), and a `sleep` for
    # the retry waits (None: really wait).
    transport: Any = None
    sleep: Callable[[float], None] | None = None

    # --- streams ------------------------------------------------------------------------

    @property
    def input(self) -> IO[str]:
        return self.stdin if self.stdin is not None else sys.stdin

    @property
    def output(self) -> IO[str]:
        return self.stdout if self.stdout is not None else sys.stdout

    @property
    def errors(self) -> IO[str]:
        return self.stderr if self.stderr is not None else sys.stderr

    @property
    def stdin_isatty(self) -> bool:
        return self.stdin_tty if self.stdin_tty is not None else _isatty(self.input)

    @property
    def stdout_isatty(self) -> bool:
        return self.stdout_tty if self.stdout_tty is not None else _isatty(self.output)

    @property
    def stderr_isatty(self) -> bool:
        return self.stderr_tty if self.stderr_tty is not None else _isatty(self.errors)

    def terminal(self) -> str | None:
        """The terminal this run belongs to: a table's row numbers are saved for it, and a row
        number typed here means its last table (each tmux or screen pane is its own).
        CLOSETASK_TTY when set (a wrapper naming its own scope), else the tty of a standard
        stream, else /dev/tty (the controlling terminal, even with every stream redirected);
        None under cron."""
        if self.tty_name is not None:
            return self.tty_name or None
        if self.environ.get(ENV_TTY):
            return self.environ[ENV_TTY]
        for stream in (self.input, self.output, self.errors):
            try:
                if stream.isatty():
                    return os.ttyname(stream.fileno())
            except (AttributeError, ValueError, OSError):
                continue
        try:
            fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
        except OSError:
            return None
        try:
            return os.ttyname(fd)
        except OSError:
            return None
        finally:
            os.close(fd)

    # --- the clock ----------------------------------------------------------------------

    def now(self) -> datetime:
        """Now, aware, in UTC: CLOSETASK_NOW when set (checked: exit 2 when malformed)."""
        fixed = self.environ.get(ENV_NOW)
        if not fixed:
            return datetime.now(timezone.utc)
        try:
            moment = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"{ENV_NOW}={fixed!r} is not an ISO date-time") from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)

    # --- where things live --------------------------------------------------------------

    def config_dir(self) -> Path:
        from closetask import config

        return config.config_dir(self.environ)

    def data_dir(self) -> Path:
        from closetask import config

        return config.data_dir(self.environ)

    def state_dir(self) -> Path:
        from closetask import config

        return config.state_dir(self.environ)

    def cache_dir(self) -> Path:
        from closetask import config

        return config.cache_dir(self.environ)


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed stream, or a file-like object without isatty
        return False
