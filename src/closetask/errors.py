"""Exceptions that carry their exit code; the CLI maps them in one place (cli/__init__.py)."""

from __future__ import annotations

from closetask.exitcodes import ExitCode


class ClosetaskError(Exception):
    """Base class: a one-line message for the user and the exit code it means."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ClosetaskError):
    """Bad input from the user: a malformed WHEN or REF, a missing --yes, ..."""

    exit_code = ExitCode.USAGE


class ConfigError(ClosetaskError):
    """No key, an unreadable config file, an invalid setting."""

    exit_code = ExitCode.CONFIG


class StateError(ClosetaskError):
    """closetask's own files (the undo journal, the change lock) cannot be written or read:
    a read-only or full disk, a file where a directory should be. Exit 1."""

    def __init__(self, what: str, path: object, exc: OSError, *, after: str = "") -> None:
        self.what, self.path, self.cause = what, path, exc
        reason = exc.strerror or str(exc)
        super().__init__(
            f"cannot {what} {path}: {reason}{after}",
            hint="free some space or make that directory writable, or point CLOSETASK_HOME somewhere writable",
        )


class PartlyDone(ClosetaskError):
    """Some tasks changed, some not (a failed chunk, tasks undo left alone): exit 3."""

    exit_code = ExitCode.PARTLY_DONE


class Interrupted(ClosetaskError):
    exit_code = ExitCode.INTERRUPTED


# --- errors from Close's API (raised by close/http.py) -------------------------------------


class ApiError(ClosetaskError):
    """Close answered with an error. `status` is the HTTP status (None: no answer)."""

    exit_code = ExitCode.ERROR

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        field_errors: dict[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.field_errors = field_errors or {}


class AuthError(ApiError):
    """401/403: the key is missing, wrong or not allowed."""

    exit_code = ExitCode.CONFIG


class NotFound(ApiError):
    pass


class ValidationFailed(ApiError):
    """400 with Close's `errors` / `field-errors`."""


class ServerError(ApiError):
    """5xx that did not clear after retries."""


class RateLimited(ApiError):
    """429 that did not clear after retries."""

    exit_code = ExitCode.NETWORK


class NetworkError(ApiError):
    """No answer: connection refused or reset, DNS, TLS, time-out."""

    exit_code = ExitCode.NETWORK
