"""The closetask command line: the Typer app, global options, and the one place where
exceptions become exit codes.

Command modules are small and import nothing heavy at module level, so `closetask --help`
and shell completion stay fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from closetask import __version__
from closetask.cli import options as opt
from closetask.cli.lazy_group import Lazy, LazyGroup

if TYPE_CHECKING:
    from closetask.env import Env

GLOBAL_OPTIONS = "Global options, before or after the command: --sandbox, --profile/-p NAME, --debug."

# Every command in the order `closetask --help` lists them: the module that holds it, the
# Typer app there, and the first paragraph of its docstring (the listing's one line;
# tests/docs/test_help_texts.py keeps them equal). A module is imported when its command runs.
COMMANDS = {
    "whoami": Lazy(
        "config_cmd", "commands", "Show the key's user and organization, the profile, and the UTC offset in force now."
    ),
    "inbox": Lazy(
        "views", "commands", "List what is due: your incomplete tasks up to the end of today, overdue ones included."
    ),
    "future": Lazy("views", "commands", "List what is coming: your incomplete tasks from tomorrow on."),
    "archive": Lazy("views", "commands", "List completed tasks, newest day first."),
    "add": Lazy("actions", "commands", "Create a lead task and print its ID."),
    "done": Lazy("actions", "commands", "Mark tasks complete."),
    "reopen": Lazy("actions", "commands", "Mark tasks incomplete again."),
    "reassign": Lazy("actions", "commands", "Assign tasks to another user of the organization."),
    "edit": Lazy("actions", "commands", "Change one task's text or date."),
    "snooze": Lazy(
        "actions", "commands", "Move tasks to another day (or day and time); a timed task keeps its time of day."
    ),
    "show": Lazy("actions", "commands", "Show every field of one task."),
    "delete": Lazy("delete", "commands", "Delete tasks for good (asks first; --yes when not on a terminal)."),
    "undo": Lazy(
        "undo", "commands", "Revert the most recent change (done, reopen, reassign, edit, snooze, add, bulk)."
    ),
    "bulk": Lazy("bulk", "commands", "Change many tasks by filter: complete, reopen, reassign or move them."),
    "help": Lazy(
        "help_cmd", "commands", "Explain a topic: exit codes, environment variables, or the WHEN date grammar."
    ),
    "config": Lazy("config_cmd", "app", "Manage profiles, API keys and settings (config.toml)."),
    "sandbox": Lazy(
        "sandbox",
        "app",
        "Run the local Close emulator (demo data, fault injection) for trying closetask and for tests.",
    ),
}


class RootGroup(LazyGroup):
    lazy = COMMANDS

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _name_global_options(command)
        return command


def _name_global_options(command: Any) -> None:
    """Every command's --help names the global options: they work anywhere on the line
    (hoist_global_options), and a user reading `closetask inbox --help` should learn so."""
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            _name_global_options(sub)
    elif not command.epilog:
        command.epilog = GLOBAL_OPTIONS


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
    cls=RootGroup,
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


def command_tree() -> Any:
    """The root click group with every command loaded (for tests, completions and docs;
    a run loads only what it uses)."""
    root: Any = typer.main.get_command(app)
    ctx = root.make_context("closetask", [], resilient_parsing=True)
    for name in root.list_commands(ctx):
        root.get_command(ctx, name)
    return root


def main(argv: list[str] | None = None, env: Env | None = None) -> None:
    """Run closetask; map every exception to its exit code and a one-line message.

    `env` (streams, TTY flags, environment, clock; see env.py) defaults to this process's.
    """
    from closetask.errors import ClosetaskError, Interrupted
    from closetask.exitcodes import ExitCode

    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    # Commands are imported and converted to click on first use: see lazy_group.py.
    command = typer.main.get_command(app)
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
