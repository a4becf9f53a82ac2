"""`closetask whoami`: the key's user and organization, the profile, the UTC offset now."""

from __future__ import annotations

import typer

from closetask.cli import options as opt
from closetask.cli.lazy_group import command_app


def whoami(ctx: typer.Context, as_json: opt.JsonInfoOpt = False) -> None:
    """Show the key's user and organization, the profile, and the UTC offset in force now.

    Example: closetask whoami
    """
    from closetask.close.users import fetch_me
    from closetask.core.timezone import format_offset
    from closetask.render.machine import write_document

    app_ctx = ctx.obj
    me = fetch_me(app_ctx.client())
    s = app_ctx.settings
    now = app_ctx.now()
    info = {
        "user_id": me["id"],
        "email": me.get("email"),
        "name": me.get("name"),
        "organizations": me.get("organizations"),
        "profile": s.profile,
        "base_url": s.base_url,
        "timezone": s.timezone.name,
        "tz_offset": format_offset(s.timezone.offset_hours(now)),
    }
    if as_json:
        write_document(info, out=ctx.obj.env.output)
        return
    orgs = ", ".join(o.get("name") or o.get("id") or "?" for o in info["organizations"] or []) or "-"
    out = app_ctx.env.output
    print(f"{info['name'] or info['email']} <{info['email']}> ({info['user_id']})", file=out)
    print(f"organization: {orgs}", file=out)
    print(f"profile: {info['profile']}  ({info['base_url']})", file=out)
    print(f"time zone: {info['timezone']}, UTC offset now {info['tz_offset']}", file=out)


# Looked up by the root group only when `whoami` runs (cli/lazy_group.py).
commands = command_app()
commands.command("whoami")(whoami)
