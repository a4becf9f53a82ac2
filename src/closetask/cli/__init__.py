"""The closetask command line: the Typer app, global options, and the one place where
exceptions become exit codes.

Command modules are small and import nothing heavy at module level, so `closetask --help`
and shell completion stay fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from closetask import __version__
from closetask.cli import options as opt

if TYPE_CHECKING:
    from closetask.env import Env

app = typer.Typer(
    name="closetask",
    help=(
        "Work Close CRM tasks from the terminal and from scripts.\n\n"
        "Run without a command to see today's inbox.\n\n"
        "Example: closetask --sandbox inbox"
    ),
    # Plain (click) help instead of Rich panels: about 50 ms faster on every --help and
    # usage error, which shell completion and cron feel (measured in bench/startup.py).
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        print(f"closetask {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        Optional[str],
        typer.Option(
            "--profile",
            "-p",
            help="Profile (Close organization) to use; default: CLOSETASK_PROFILE or the config's default_profile.",
            autocompletion=opt.complete_profiles,
            show_default=False,
        ),
    ] = None,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            envvar="CLOSETASK_SANDBOX",
            help="Run against the embedded sandbox with demo data: no account or key needed.",
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Log every request (method, URL, status, time) to stderr; show tracebacks."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    from closetask.env import Env
    from closetask.session import Session

    env = ctx.obj if isinstance(ctx.obj, Env) else Env()  # main(argv, env) hands it over as obj
    ctx.obj = Session(profile_flag=profile, sandbox=sandbox, debug=debug, env=env)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        # Bare `closetask` shows today's inbox, like `git status` shows the tree.
        # Typer's vendored click runs `ctx.invoke(command)` as a fresh top-level command that
        # re-parses sys.argv; a sub-context parsed from no arguments gives inbox its defaults.
        command = ctx.command.get_command(ctx, "inbox")  # type: ignore[attr-defined]  # ctx.command is the root group
        if command is not None:
            with command.make_context("inbox", [], parent=ctx) as sub:
                command.invoke(sub)


GLOBAL_OPTIONS = "Global options, before or after the command: --sandbox, --profile/-p NAME, --debug."


def _register() -> None:
    from importlib import import_module

    from closetask.cli import config_cmd

    app.add_typer(config_cmd.app, name="config")
    app.command("whoami")(config_cmd.whoami)
    for name in ("views", "actions", "undo", "bulk", "help_cmd", "sandbox"):
        try:
            module = import_module(f"closetask.cli.{name}")
        except ModuleNotFoundError as exc:  # pragma: no cover - while modules are being built
            if exc.name != f"closetask.cli.{name}":
                raise
            continue
        if name == "sandbox":
            app.add_typer(module.app, name="sandbox")
        else:
            module.register(app)
    # Every command's --help names the global options: they work anywhere on the line
    # (hoist_global_options), and a user reading `closetask inbox --help` should learn so.
    groups = [g.typer_instance for g in app.registered_groups if g.typer_instance is not None]
    for info in [*app.registered_commands, *(c for g in groups for c in g.registered_commands)]:
        if info.epilog is None:
            info.epilog = GLOBAL_OPTIONS


_register()


def main(argv: list[str] | None = None, env: Env | None = None) -> None:
    """Run closetask; map every exception to its exit code and a one-line message.

    `env` (streams, TTY flags, environment, clock; see env.py) defaults to this process's.
    """
    from closetask.cli.lazy_group import build
    from closetask.errors import ClosetaskError, Interrupted
    from closetask.exitcodes import ExitCode

    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    # Commands are converted to click on first use: see lazy_group.py (start-up time).
    command = build(app)
    from closetask.cli.signals import install_interrupt_handlers, restore_handlers

    previous = install_interrupt_handlers()
    try:
        command.main(args=args, prog_name="closetask", standalone_mode=True, obj=env)
    except Interrupted as exc:  # not an error: the person asked for it ("interrupted: ...")
        print(exc.message, file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except ClosetaskError as exc:
        report(exc.message, exc.hint)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:  # raised outside Typer's own handling; the handler printed why
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        # The reader went away (`closetask inbox --ids | head -1`): not an error of ours.
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if debug:
            raise
        report(f"unexpected error: {type(exc).__name__}: {exc}", "run again with --debug for the traceback")
        sys.exit(int(ExitCode.ERROR))
    finally:
        restore_handlers(previous)


_GLOBAL_FLAGS = ("--sandbox", "--debug")
_GLOBAL_VALUED = ("--profile", "-p")


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options given after the command to the front, where click reads them:
    `closetask inbox --profile acme` and `closetask config init --profile acme` work as
    `closetask --profile acme inbox` does. Nothing after `--` moves."""
    front: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":  # already in front
        front.append(args[i])
        if args[i] in _GLOBAL_VALUED and i + 1 < len(args):
            front.append(args[i + 1])
            i += 1
        i += 1
    rest: list[str] = []
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in _GLOBAL_FLAGS or arg.startswith("--profile="):
            front.append(arg)
        elif arg in _GLOBAL_VALUED and i + 1 < len(args):
            front += [arg, args[i + 1]]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def report(message: str, hint: str | None = None) -> None:
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
