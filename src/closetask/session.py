"""A run's session: the Env it was given (streams, TTY flags, environment, clock, paths; see
env.py) and what follows from the settings: the profile, the API client, the per-profile
state directory and its caches, user lookups. Nothing else reads the real clock, the
environment or the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from closetask.env import Env
from closetask.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import Console

    from closetask.close.http import CloseClient
    from closetask.config import Settings
    from closetask.core.timezone import TimeZone

NO_KEY_MESSAGE = (
    "no API key: run `closetask config init`, set CLOSE_API_KEY, or try the demo data with `closetask --sandbox ...`"
)


USERS_MAX_AGE = 24 * 3600  # seconds: people join and leave; a day-old list is asked for again


@dataclass
class Session:
    profile_flag: str | None = None
    sandbox: bool = False
    debug: bool = False
    env: Env = field(default_factory=Env)
    _settings: Settings | None = None
    _client: CloseClient | None = None
    _out: Console | None = None
    _err: Console | None = None
    _now: datetime | None = None
    # Task IDs this run was given as row numbers, with the rows they came from (task_ids()).
    row_named: dict[str, Any] = field(default_factory=dict)
    _users_fetched: bool = False  # GET /user/ ran in this process: a second one would tell nothing new
    # Where notify() sends its lines instead of stderr: a full-screen UI (triage) shows them in
    # its status line, since a line written to stderr would be drawn over the screen.
    listener: Callable[[str], None] | None = None

    # --- settings, clock ---------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from closetask import config

            self._settings = config.resolve(profile=self.profile_flag, sandbox=self.sandbox, env=self.env.environ)
            warning = config.warn_if_exposed(config.config_path(self.env.environ))
            if warning:
                self.notify(warning)
        return self._settings

    @property
    def tz(self) -> TimeZone:
        return self.settings.timezone

    def now(self) -> datetime:
        """Now, as an aware datetime in the user's time zone."""
        return self.env.now().astimezone(self.tz.tzinfo)

    def today(self) -> date:
        return self.now().date()

    # --- output ------------------------------------------------------------------------

    @property
    def stdout_isatty(self) -> bool:
        return self.env.stdout_isatty

    @property
    def stderr_isatty(self) -> bool:
        return self.env.stderr_isatty

    @property
    def stdin_isatty(self) -> bool:
        return self.env.stdin_isatty

    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            # COLUMNS=0 (or "abc", "-5") would lay tables out for no width at all: ignore it
            # as if unset, and let Rich ask the terminal.
            environ = dict(self.env.environ)
            columns = environ.get("COLUMNS", "").strip()
            if not (columns.isascii() and columns.isdigit() and int(columns) > 0):
                environ.pop("COLUMNS", None)
            self._out = Console(file=self.env.stdout, highlight=False, soft_wrap=False, _environ=environ)
            if self._out.width < 1:  # a terminal that reports 0 columns (some CI pseudo-terminals)
                self._out.width = 80
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(file=self.env.stderr, stderr=self.env.stderr is None, highlight=False)
        return self._err

    def notify(self, message: str) -> None:
        """A message for the person, on stderr (never stdout: that is for data)."""
        if self.listener is not None:
            self.listener(message)
            return
        print(message, file=self.env.errors, flush=True)

    def log_debug(self, message: str) -> None:
        if self.debug:
            print(f"debug: {message}", file=self.env.errors, flush=True)

    def command(self, rest: str) -> str:
        """`closetask [--sandbox | --profile NAME] REST`: a command to suggest in a hint that
        acts on the same tasks as the one running now."""
        if self.sandbox:
            return f"closetask --sandbox {rest}"
        if self.profile_flag:
            return f"closetask --profile {self.profile_flag} {rest}"
        return f"closetask {rest}"

    # --- the API client ----------------------------------------------------------------

    def client(self) -> CloseClient:
        """The one API client of this process (created on first use)."""
        if self._client is None:
            settings = self.settings
            transport = self.env.transport
            key = settings.api_key
            if key is None and settings.api_key_command and not settings.sandbox:
                from closetask import key_command

                key = key_command.run(settings.api_key_command, profile=settings.profile)
            if settings.sandbox:
                from closetask.env import ENV_NOW
                from closetask.sandbox import embedded

                db = self.env.data_dir() / "sandbox.sqlite3"
                # The embedded sandbox keeps this run's clock: a fixed CLOSETASK_NOW in `env`
                # fixes its seeding and views too, whatever the process environment says.
                fixed = self.env.now() if self.env.environ.get(ENV_NOW) else None
                transport = embedded.transport(db, now=fixed)
                key = embedded.api_key(db)
            if not key:
                raise ConfigError(NO_KEY_MESSAGE)
            self._client = self.client_for(
                settings.base_url, key, settings.timezone, transport=transport, timeout=settings.timeout
            )
        return self._client

    def client_for(self, base_url: str, key: str, tz: Any, *, transport: Any = None, **options: Any) -> CloseClient:
        """A client for this run's environment (its transport and waits, its clock, --debug)
        to a given URL and key: `client()` uses it, and `config init`, which checks a key
        not stored yet. The caller closes it."""
        from closetask.close.http import CloseClient

        if self.env.sleep is not None:
            options["sleep"] = self.env.sleep
        return CloseClient(
            base_url,
            key,
            tz,
            transport=transport if transport is not None else self.env.transport,
            notify=self.notify,
            debug=self.log_debug if self.debug else None,
            clock=self.env.now,  # aware UTC; not self.now, which needs a profile (init has none yet)
            **options,
        )

    def pages(self, query: Any, *, concurrency: int | None = None, in_order: bool = False) -> Any:
        """Every page of `query` with this profile's page size and concurrency (a command's
        --concurrency wins): what the views, `calendar` and `report` list through. `in_order`:
        Close's order by `_skip` (a limited listing), else creation-date ranges (core.listing)."""
        from closetask.core.listing import iter_pages

        settings = self.settings
        return iter_pages(
            self.client(),
            query,
            tz=self.tz,
            today=self.today(),
            page_size=settings.page_size,
            concurrency=concurrency or settings.concurrency or 1,
            in_order=in_order,
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- per-profile state -------------------------------------------------------------

    def rows_path(self) -> Path | None:
        """Where this terminal's last table keeps its rows; None with no terminal (cron)."""
        from closetask.core.refs import rows_file

        terminal = self.env.terminal()
        return self.state_path(rows_file(terminal)) if terminal else None

    def state_path(self, name: str) -> Path:
        """A file in this profile's state directory (journal, row refs, caches, lock)."""
        return self.env.state_dir() / "profiles" / self.settings.profile / name

    def key_fingerprint(self) -> str:
        """A short one-way digest of the key, so caches made for another key are ignored.

        Only a digest is stored, never the key or any part of it.
        """
        import hashlib  # here, not at the top: every command imports this module

        settings = self.settings
        # A key from api_key_command is named by the command: finding a cache must not run it.
        key = settings.api_key or ("sandbox" if settings.sandbox else f"command:{settings.api_key_command or ''}")
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def cache_path(self, name: str) -> Path:
        """A cache file of this profile: in the cache directory (XDG_CACHE_HOME), since losing
        it costs one request and nothing else."""
        return self.env.cache_dir() / "profiles" / self.settings.profile / f"{name}.json"

    def cached(self, name: str, fetch: Any, *, fresh: bool = False, max_age: float | None = None) -> Any:
        """The cached value `name` for this profile and key, fetched when missing, older than
        `max_age` seconds, or `fresh` is asked for."""
        import json

        value = None if fresh else self.peek(name, max_age=max_age)
        if value is None:
            value = fetch()
            from closetask.config import write_atomic

            record = {"key": self.key_fingerprint(), "at": self.env.now().isoformat(), "value": value}
            try:
                write_atomic(self.cache_path(name), json.dumps(record))
            except OSError as exc:  # a cache that cannot be kept costs a request next time, nothing more
                self.log_debug(f"cache {self.cache_path(name)} not written: {exc}")
        return value

    def peek(self, name: str, *, max_age: float | None = None) -> Any:
        """The cached value `name` for this profile and key, or None: never a request."""
        stored = self._read_cache(name)
        if stored is None or stored.get("key") != self.key_fingerprint():
            return None
        if max_age is not None:
            from datetime import datetime

            try:
                age = (self.env.now() - datetime.fromisoformat(str(stored["at"]))).total_seconds()
            except (KeyError, ValueError, TypeError):
                return None  # no time (an old cache): as good as expired
            if not 0 <= age <= max_age:
                return None
        return stored.get("value")

    def _read_cache(self, name: str) -> dict[str, Any] | None:
        """The cache record, from the cache directory; a cache left in the state directory by
        an older closetask is read once, moved, and never looked for again."""
        import json

        path, old = self.cache_path(name), self.state_path(f"{name}.json")
        for candidate in (path, old):
            try:
                stored = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(stored, dict):
                continue
            if candidate == old:
                from closetask.config import write_atomic

                try:
                    write_atomic(path, json.dumps(stored))
                    old.unlink(missing_ok=True)
                except OSError:
                    pass  # moved next time; read from where it is meanwhile
            return stored
        return None

    def me(self) -> dict[str, Any]:
        """The key's user: from the profile's cached id/email, else GET /me/ (cached)."""
        settings = self.settings
        if settings.user_id and not settings.sandbox:
            return {"id": settings.user_id, "email": settings.user_email}
        from closetask.close.users import fetch_me

        return self.cached("me", lambda: fetch_me(self.client()))

    def users(self, *, fresh: bool = False) -> list[dict[str, Any]]:
        """The organization's users (GET /user/, every page), cached per profile and key."""

        from closetask.close.users import fetch_users

        def fetch() -> list[dict[str, Any]]:
            self._users_fetched = True
            return fetch_users(self.client())

        return self.cached("users", fetch, fresh=fresh, max_age=USERS_MAX_AGE)

    def resolve_user(self, who: str, *, allow_all: bool = False, assigning: bool = False) -> str | None:
        """`me` / `all` / email / user ID -> user ID (None for all).

        GET /user/ (cached a day) for an email or a user ID; one the cache does not know is
        looked up once more, fresh: a colleague who joined after the cache was filled is
        found, not refused; a user ID nobody in the organization has is refused (exit 2).
        """
        from closetask.core.users import knows, needs_user_list, resolve_user

        text = who.strip()
        users = self.users() if needs_user_list(text) else []
        if needs_user_list(text) and not self._users_fetched and not knows(users, text):
            users = self.users(fresh=True)
        me = self.me() if text.lower() == "me" else {"id": ""}
        return resolve_user(who, me=me, users=users, allow_all=allow_all, assigning=assigning)
