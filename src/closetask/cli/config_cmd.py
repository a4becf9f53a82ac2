"""`closetask config ...`: profiles, keys and the settings in force."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from closetask.cli import options as opt
from closetask.cli.lazy_group import command_app

app = command_app(
    help="Manage profiles, API keys and settings (config.toml).\n\nExample: closetask config init --profile acme",
    no_args_is_help=True,
)


def _file(ctx: typer.Context) -> Path:
    """The config file of this run's environment (CLOSETASK_HOME, else the platform's place)."""
    from closetask import config

    return config.config_path(ctx.obj.env.environ)


def _profile_name(ctx: typer.Context, data: dict[str, Any]) -> str:
    """The profile `config init` and `config set` write: the same choice every command makes."""
    from closetask import config
    from closetask.errors import ConfigError, UsageError

    name, source = config.choose_profile(ctx.obj.profile_flag, ctx.obj.env.environ, data)
    return config.validate_profile_name(name, error=ConfigError if source == "config file" else UsageError)


def _check_key(ctx: typer.Context, url: str, key: str, tz: Any) -> dict[str, Any]:
    """Close's user for `key` (GET /me/): a rejected key raises AuthError (exit 4), before
    anything is written."""
    from closetask.close.users import ME
    from closetask.errors import ConfigError

    with ctx.obj.client_for(url, key, tz) as client:
        me = client.get(ME)
    if not isinstance(me, dict) or not me.get("id"):
        raise ConfigError(f"{url}{ME} did not answer with a user; is the base URL right?")
    return me


def _read_key(ctx: typer.Context, *, from_stdin: bool, how: str) -> str:
    """The key from stdin (`from_stdin`) or asked with hidden input on a terminal; `how` says
    how to pipe it when there is no terminal."""
    from closetask.errors import UsageError

    if from_stdin:
        key = ctx.obj.env.input.read().strip()
    elif ctx.obj.stdin_isatty:
        key = typer.prompt("Close API key (input hidden)", hide_input=True).strip()
    else:
        raise UsageError(f"stdin is not a terminal, so there is no one to ask for the key: pipe it with {how}")
    if not key or any(c.isspace() for c in key):
        raise UsageError("empty or malformed API key: expected one word such as api_XXXX.YYYY")
    return key


@app.command("init")
def init(
    ctx: typer.Context,
    api_key_stdin: Annotated[
        bool, typer.Option("--api-key-stdin", help="Read the key from stdin (for scripts); never prompt.")
    ] = False,
    base_url: Annotated[
        Optional[str], typer.Option("--base-url", help="API base URL (https, or http to loopback only).")
    ] = None,
    timezone: Annotated[
        Optional[str],
        typer.Option(
            "--timezone", help="IANA zone (Europe/Berlin) or fixed offset in hours (-8, 5.5); default: this machine's."
        ),
    ] = None,
) -> None:
    """Store an API key in a profile, after checking it with Close.

    The profile is the global --profile NAME (anywhere on the line), else the default one.

    The key is asked with hidden input, or read from stdin with --api-key-stdin. Nothing is
    written when Close rejects the key. The file is created with mode 0600.

    Example: closetask config init --profile acme --api-key-stdin < acme-key.txt
    """
    from closetask import config
    from closetask.core.timezone import TimeZone
    from closetask.errors import UsageError

    data = config.load_file(_file(ctx))
    name = _profile_name(ctx, data)
    key = _read_key(ctx, from_stdin=api_key_stdin, how="--api-key-stdin")
    existing = dict(data.get("profiles", {}).get(name, {}))
    url = config.validate_base_url(
        base_url or ctx.obj.env.environ.get(config.ENV_BASE_URL) or existing.get("base_url") or config.DEFAULT_BASE_URL
    )
    try:
        tz = TimeZone.parse(timezone) if timezone else TimeZone.local()
    except ValueError as exc:
        raise UsageError(f"invalid --timezone: {exc}") from None

    me = _check_key(ctx, url, key, tz)  # a rejected key: exit 4, nothing written
    existing.update(api_key=key, user_id=me["id"], user_email=me.get("email"))
    existing.pop("timezone", None)
    existing.pop("tz_offset", None)
    if tz.key:
        existing["timezone"] = tz.key
    else:
        existing["tz_offset"] = tz.hours
    existing["base_url"] = None if url == config.DEFAULT_BASE_URL else url
    data.setdefault("profiles", {})[name] = existing
    data.setdefault("default_profile", name)
    path = config.save_file(data, _file(ctx))
    orgs = ", ".join(o.get("name", "?") for o in me.get("organizations") or [] if isinstance(o, dict))
    ctx.obj.notify(f"Saved profile {name!r} for {me.get('email') or me['id']}{f' ({orgs})' if orgs else ''} in {path}")


@app.command("show")
def show(
    ctx: typer.Context,
    as_json: opt.JsonInfoOpt = False,
) -> None:
    """Show the settings in force for the profile, and where each comes from (key masked).

    Example: closetask --profile acme config show
    """
    from closetask import config
    from closetask.render.machine import write_document

    s = ctx.obj.settings
    rows = {
        "profile": s.profile,
        "config_file": str(_file(ctx)),
        "api_key": "(sandbox)"
        if s.sandbox
        else f"(api_key_command: {s.api_key_command})"
        if s.api_key_command
        else config.mask_key(s.api_key),
        "base_url": s.base_url,
        "timezone": s.timezone.name,
        "user_id": s.user_id,
        "user_email": s.user_email,
        "page_size": s.page_size,
        "timeout": s.timeout,
        "concurrency": s.concurrency,
        "eod": s.eod,
        "refresh": s.refresh,
    }
    if as_json:
        write_document({**rows, "sources": s.sources}, out=ctx.obj.env.output)
        return
    for key, value in rows.items():
        source = s.sources.get(key)
        print(
            f"{key:<12} {value if value is not None else '-'}"
            + (f"  ({source})" if source and source != "default" else ""),
            file=ctx.obj.env.output,
        )


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the path of the config file (it may not exist yet).

    Example: closetask config path
    """

    print(_file(ctx), file=ctx.obj.env.output)


# A negative value (`config set tz_offset -8`) must not be taken for an unknown option.
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            help="One of the profile's settings.",
            autocompletion=opt.complete_settings,
        ),
    ],
    value: Annotated[
        Optional[str],
        typer.Argument(
            help="The new value; checked before anything is written. api_key: '-' reads it from stdin, "
            "nothing asks for it (hidden input).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Take an api_key given on the command line (it lands in shell history and ps)."),
    ] = False,
) -> None:
    """Change one setting of the profile (validated; the file is rewritten atomically).

    Settable: api_key, api_key_command, timezone (IANA), tz_offset (hours), base_url,
    page_size (1-1000), timeout, concurrency, eod (24-hour HH:MM, what the WHEN `eod` means),
    refresh (seconds between triage's refreshes, 0 for none), user_id, user_email.

    An api_key is read from stdin (`-`) or asked with hidden input, and checked with Close
    (GET /me/) before it is saved; one typed on the command line is refused without --force.
    api_key_command is a command printing the key (`pass show close/acme`), run without a
    shell when a command first needs the key; it replaces api_key, and api_key replaces it.

    Example: closetask config set timezone America/Los_Angeles
    """
    from closetask import config
    from closetask.errors import UsageError

    data = config.load_file(_file(ctx))
    name = _profile_name(ctx, data)
    profile = dict(data.get("profiles", {}).get(name, {}))
    if key == "api_key":
        if value is not None and value != "-" and not force:
            raise UsageError(
                "refusing an API key on the command line: it would stay in your shell history and show in ps",
                hint="closetask config set api_key -  (reads it from stdin), or with no value to be asked",
            )
        stored: Any = (
            config.validate_setting(key, value)
            if value not in (None, "-")
            else _read_key(ctx, from_stdin=value == "-", how="`closetask config set api_key -`")
        )
        url = config.validate_base_url(
            ctx.obj.env.environ.get(config.ENV_BASE_URL) or profile.get("base_url") or config.DEFAULT_BASE_URL
        )
        from closetask.core.timezone import TimeZone

        # The zone only fills X-TZ-Offset here; the profile's own may not exist yet.
        me = _check_key(ctx, url, stored, TimeZone.local())  # a rejected key: exit 4, nothing written
        profile.update(user_id=me["id"], user_email=me.get("email"))
    elif value is None:
        raise UsageError(f"missing the value for {key}", hint="closetask config set --help")
    else:
        stored = config.validate_setting(key, value)
    if key == "api_key_command":
        from closetask import key_command
        from closetask.core.timezone import TimeZone

        url = config.validate_base_url(
            ctx.obj.env.environ.get(config.ENV_BASE_URL) or profile.get("base_url") or config.DEFAULT_BASE_URL
        )
        # Run now and checked with Close, so a typo shows here rather than in tomorrow's cron job.
        me = _check_key(ctx, url, key_command.run(stored, profile=name), TimeZone.local())
        profile.update(user_id=me["id"], user_email=me.get("email"))
    profile[key] = stored
    # A zone and a fixed offset, or a key and a command printing one, would contradict each
    # other: the newer one wins.
    for one, other in (("timezone", "tz_offset"), ("api_key", "api_key_command")):
        if key in (one, other):
            profile.pop(other if key == one else one, None)
    data.setdefault("profiles", {})[name] = profile
    data.setdefault("default_profile", name)
    config.save_file(data, _file(ctx))
    shown = config.mask_key(stored) if key == "api_key" else stored
    ctx.obj.notify(f"{name}: {key} = {shown}")


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Profile to delete.", autocompletion=opt.complete_profiles)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask (required off a terminal).")] = False,
) -> None:
    """Delete a profile (its key and settings) and its state: undo journal, row numbers, caches.

    Asks first on a terminal; off a terminal --yes is required.

    Example: closetask config remove globex --yes
    """
    import shutil

    from closetask import config
    from closetask.errors import UsageError

    data = config.load_file(_file(ctx))
    profiles = data.get("profiles", {})
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none yet"
        raise UsageError(f"no profile named {name!r} (profiles: {known})")
    config.validate_profile_name(name)  # never a path: it names directories below
    if not yes:
        if not ctx.obj.stdin_isatty:
            raise UsageError(f"removing profile {name!r} needs --yes off a terminal; nothing was removed")
        if not typer.confirm(f"Remove profile {name!r}, its key, undo journal and caches?", default=False):
            raise UsageError("not confirmed; nothing was removed")
    del profiles[name]
    if data.get("default_profile") == name:
        data.pop("default_profile")
    path = config.save_file(data, _file(ctx))
    env = ctx.obj.env
    for directory in (env.state_dir() / "profiles" / name, env.cache_dir() / "profiles" / name):
        shutil.rmtree(directory, ignore_errors=True)
    left = "; no default profile now (closetask config use NAME)" if profiles and "default_profile" not in data else ""
    ctx.obj.notify(f"Removed profile {name!r} from {path} with its state{left}")


@app.command("profiles")
def profiles(ctx: typer.Context, as_json: opt.JsonInfoOpt = False) -> None:
    """List the profiles; the default one is marked with *.

    Example: closetask config profiles
    """
    from closetask import config
    from closetask.render.machine import write_document

    data = config.load_file(_file(ctx))
    default = data.get("default_profile")
    items = [
        {
            "name": name,
            "default": name == default,
            "user_email": p.get("user_email"),
            "base_url": p.get("base_url") or config.DEFAULT_BASE_URL,
        }
        for name, p in sorted(data.get("profiles", {}).items())
    ]
    if as_json:
        write_document(items, out=ctx.obj.env.output)
        return
    if not items:
        print("no profiles yet: run `closetask config init`", file=ctx.obj.env.errors)
        return
    for item in items:
        print(
            f"{'*' if item['default'] else ' '} {item['name']}\t{item['user_email'] or '-'}\t{item['base_url']}",
            file=ctx.obj.env.output,
        )


@app.command("refresh")
def refresh(ctx: typer.Context) -> None:
    """Ask Close again for the key's user and the organization's users.

    Both are cached (the users for a day): run this after someone joins or leaves, so that
    their email works in --assignee and --assign-to at once.

    Example: closetask config refresh
    """
    from closetask.close.users import fetch_me

    session = ctx.obj
    me = session.cached("me", lambda: fetch_me(session.client()), fresh=True)
    users = session.users(fresh=True)
    left = sum(1 for u in users if u.get("organizations") == [])
    who = me.get("email") or me.get("id")
    note = f", {left} of them no longer in an organization" if left else ""
    session.notify(f"Refreshed: you are {who}; {len(users)} users{note}.")


@app.command("use")
def use(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Profile to make the default.", autocompletion=opt.complete_profiles)],
) -> None:
    """Make a profile the default one.

    Example: closetask config use acme
    """
    from closetask import config
    from closetask.errors import UsageError

    data = config.load_file(_file(ctx))
    if name not in data.get("profiles", {}):
        known = ", ".join(sorted(data.get("profiles", {}))) or "none yet"
        raise UsageError(f"no profile named {name!r} (profiles: {known})")
    data["default_profile"] = name
    config.save_file(data, _file(ctx))
    print(f"default profile: {name}", file=ctx.obj.env.errors)
