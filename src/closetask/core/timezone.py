"""The user's time zone: an IANA zone or a fixed UTC offset in hours.

Close takes the user's offset as an `X-TZ-Offset` header in hours (`"-8"`, `"5.5"`); that
offset drives `view=inbox|future` and date ordering. A profile may store an IANA name (so the
offset follows daylight saving) or a fixed offset. Both are a `TimeZone`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Offsets in use on Earth run from UTC-12 (Baker Island) to UTC+14 (Line Islands).
MIN_OFFSET_HOURS = -12
MAX_OFFSET_HOURS = 14

# "-8", "+5.5", "5.75", "5:30", "-02:30", "+0530", optionally after "UTC" or "GMT".
# The sign follows ISO 8601 (east is +), not POSIX TZ (where "UTC+8" means west).
_OFFSET_RE = re.compile(
    r"^(?:(?:utc|gmt)\s*)?(?P<sign>[+-])?\s*"
    r"(?:(?P<h>\d{1,2})(?:\.(?P<frac>\d{1,6})|:(?P<m>\d{2}))?|(?P<hh>\d{2})(?P<mm>\d{2}))$",
    re.IGNORECASE | re.ASCII,
)

_FORMS = "use an IANA name (America/Los_Angeles, UTC) or an offset in hours (-8, +5.5, -02:30)"


@dataclass(frozen=True)
class TimeZone:
    """Either an IANA zone (`key`) or a fixed offset from UTC (`hours`); exactly one is set."""

    key: str | None = None
    hours: float | None = None

    def __post_init__(self) -> None:
        if (self.key is None) == (self.hours is None):
            raise ValueError("TimeZone needs exactly one of key= or hours=")
        if self.hours is not None:
            minutes = Fraction(self.hours) * 60
            if minutes.denominator != 1 or minutes % 15 != 0:
                raise ValueError(f"time zone offset {self.hours} is not a whole quarter hour")
            if not MIN_OFFSET_HOURS <= self.hours <= MAX_OFFSET_HOURS:
                raise ValueError(f"time zone offset {self.hours} is out of range (-12 to +14 hours)")
            # Normalise so that TimeZone(hours=-8) == TimeZone(hours=-8.0) and -0 is 0.
            object.__setattr__(self, "hours", float(minutes / 60) + 0.0)
        elif self.key is not None and _iana_key(self.key) != self.key:  # fail now, not at first use
            raise ValueError(f"unknown time zone {self.key!r}: {_FORMS}")

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def utc(cls) -> TimeZone:
        return cls(key="UTC")

    @classmethod
    def fixed(cls, hours: float) -> TimeZone:
        return cls(hours=hours)

    @classmethod
    def parse(cls, text: str | float) -> TimeZone:
        """Read `America/Los_Angeles`, `UTC`, `-8`, `+5.5`, `5:30`, `-02:30`, `UTC+05:30`.

        A number (from a TOML `tz_offset = -8`) is taken as hours. Raises `ValueError` with a
        one-line message on anything else.
        """
        if isinstance(text, bool):
            raise ValueError(f"invalid time zone {text!r}: {_FORMS}")
        if isinstance(text, (int, float)):
            return cls(hours=_checked_hours(Fraction(text), repr(text)))
        if not isinstance(text, str):
            raise ValueError(f"invalid time zone {text!r}: {_FORMS}")
        stripped = text.strip()
        shown = _shown(text)
        match = _OFFSET_RE.match(stripped)
        if match:
            hours = _offset_fraction(match)
            if hours is None:
                raise ValueError(f"invalid time zone {shown}: {_FORMS}")
            return cls(hours=_checked_hours(hours, shown))
        key = _iana_key(stripped)
        if key is None:
            raise ValueError(f"unknown time zone {shown}: {_FORMS}")
        return cls(key=key)

    @classmethod
    def local(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        localtime_path: str = "/etc/localtime",
        timezone_file: str = "/etc/timezone",
        now: datetime | None = None,
    ) -> TimeZone:
        """The machine's zone: `TZ`, then the `/etc/localtime` link, then `/etc/timezone`,
        else the fixed offset in force now. The arguments exist so tests need not touch the
        real machine."""
        env = os.environ if environ is None else environ
        tz_var = env.get("TZ", "").strip().lstrip(":")
        # Only IANA names from TZ: a POSIX string like "UTC+8" means UTC-8, so reading it
        # as an offset would get the sign wrong.
        candidates = [_after_zoneinfo(tz_var) or tz_var]
        try:
            # The link as set (timedatectl, ln -s), not resolved: resolving may land on
            # an alias file and lose the name the user chose.
            candidates.append(_after_zoneinfo(os.readlink(localtime_path)))
        except OSError:
            pass
        try:
            with open(timezone_file, encoding="utf-8") as fh:
                candidates.append(fh.read().strip())
        except (OSError, UnicodeDecodeError):
            pass
        for candidate in candidates:
            key = _iana_key(candidate) if candidate else None
            if key is not None:
                return cls(key=key)
        current = (now or datetime.now(timezone.utc)).astimezone()
        offset = current.utcoffset() or timedelta(0)
        quarters = round(offset.total_seconds() / 900)
        quarters = max(MIN_OFFSET_HOURS * 4, min(MAX_OFFSET_HOURS * 4, quarters))
        return cls(hours=quarters / 4)

    # --- use ------------------------------------------------------------------------------

    @property
    def tzinfo(self) -> tzinfo:
        if self.key is not None:
            return ZoneInfo(self.key)  # zoneinfo caches instances per key
        return timezone(timedelta(hours=self.hours or 0.0))

    @property
    def name(self) -> str:
        """`America/Los_Angeles`, or `UTC+05:30` for a fixed offset."""
        if self.key is not None:
            return self.key
        minutes = round((self.hours or 0.0) * 60)
        sign = "-" if minutes < 0 else "+"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    def offset_hours(self, at: datetime) -> float:
        """The offset in force at the instant `at` (aware), daylight saving included."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("offset_hours() needs an aware datetime, not a naive one")
        if self.hours is not None:
            return self.hours
        offset = at.astimezone(self.tzinfo).utcoffset() or timedelta(0)
        return offset.total_seconds() / 3600

    def offset_header(self, at: datetime) -> str:
        """The `X-TZ-Offset` header for requests sent at `at` (what close/http.py sends)."""
        return format_offset(self.offset_hours(at))

    def __str__(self) -> str:
        return self.name


def format_offset(hours: float) -> str:
    """The `X-TZ-Offset` header value: `-8`, `0`, `5.5`, `-2.5`, `5.75` (no trailing `.0`)."""
    minutes = round(hours * 60)
    if minutes % 60 == 0:
        return str(minutes // 60)
    return f"{minutes / 60:.4f}".rstrip("0").rstrip(".")


# --- helpers ------------------------------------------------------------------------------


def _shown(text: str) -> str:
    """The user's value for an error message: quoted, escaped, and short enough for a line."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _offset_fraction(match: re.Match[str]) -> Fraction | None:
    sign = -1 if match["sign"] == "-" else 1
    if match["hh"] is not None:
        hours, minutes = int(match["hh"]), int(match["mm"])
    else:
        hours, minutes = int(match["h"]), int(match["m"] or 0)
    if minutes >= 60:
        return None
    value = Fraction(hours) + Fraction(minutes, 60)
    if match["frac"] is not None:
        value += Fraction(int(match["frac"]), 10 ** len(match["frac"]))
    return sign * value


def _checked_hours(hours: Fraction, shown: str) -> float:
    if not MIN_OFFSET_HOURS <= hours <= MAX_OFFSET_HOURS:
        raise ValueError(f"time zone offset {shown} is out of range: use -12 to +14 hours")
    if (hours * 60).denominator != 1 or (hours * 60) % 15 != 0:
        # Every offset in use today is a whole quarter hour (5.75 is Nepal); anything else
        # is a typo, and Close would not know what to do with it either.
        raise ValueError(f"time zone offset {shown} is not a whole quarter hour (e.g. 5.5, 5.75)")
    return float(hours)


def _after_zoneinfo(path: str) -> str:
    """`/usr/share/zoneinfo/posix/Europe/Paris` -> `Europe/Paris`; '' if not under zoneinfo/."""
    marker = "zoneinfo/"
    if marker not in path:
        return ""
    key = path.rsplit(marker, 1)[1]
    for prefix in ("posix/", "right/"):
        key = key.removeprefix(prefix)
    return key


def _iana_key(text: str) -> str | None:
    """The canonical IANA key for `text` (case-insensitive), or None."""
    if not text or len(text) > 100 or text.startswith(("/", ".")) or "\x00" in text:
        return None
    try:
        ZoneInfo(text)
        return text
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    # Only on a miss: listing the zones reads the tz database, but "america/new_york" and
    # "utc" deserve to work.
    lowered = text.lower()
    for key in available_timezones():
        if key.lower() == lowered:
            return key
    return None
