"""The closetask command line: the Typer app, global options, and the one place where
exceptions become exit codes.

Command modules are small and import nothing heavy at module level, so `closetask --help`
and shell completion stay fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperCommand

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
        "whoami", "commands", "Show the key's user and organization, the profile, and the UTC offset in force now."
    ),
    "inbox": Lazy(
        "views", "commands", "List what is due: your incomplete tasks up to the end of today, overdue ones included."
    ),
    "future": Lazy("views", "commands", "List what is coming: your incomplete tasks from tomorrow on."),
    "archive": Lazy("views", "commands", "List completed tasks, newest day first."),
    "triage": Lazy(
        "triage",
        "commands",
        "Work tasks on one keyboard-driven screen: complete, snooze, reassign, undo, open in Close.",
    ),
    "add": Lazy("actions", "commands", "Create a lead task and print its ID."),
    "done": Lazy("actions", "commands", "Mark tasks complete."),
    "reopen": Lazy("actions", "commands", "Mark tasks incomplete again."),
    "reassign": Lazy("actions", "commands", "Assign tasks to another user of the organization."),
    "edit": Lazy("actions", "commands", "Change one task's text or date."),
    "snooze": Lazy(
        "actions", "commands", "Move tasks to another day (or day and time); a timed task keeps its time of day."
    ),
    "show": Lazy("actions", "commands", "Show every field of one task."),
    "open": Lazy(
        "open_cmd",
        "commands",
        "Open each task's lead in Close in the browser (https://app.close.com/lead/<lead_id>/).",
    ),
    "delete": Lazy("delete", "commands", "Delete tasks for good (asks first; --yes when not on a terminal)."),
    "undo": Lazy(
        "undo", "commands", "Revert the most recent change (done, reopen, reassign, edit, snooze, add, bulk)."
    ),
    "bulk": Lazy("bulk", "commands", "Change many tasks by filter: complete, reopen, reassign or move them."),
    "calendar": Lazy(
        "calendar", "commands", "Write incomplete tasks as an iCalendar file (RFC 5545) for a calendar app."
    ),
    "report": Lazy(
        "report_cmd",
        "commands",
        "Count incomplete tasks by assignee, by age and by type (the team's with --assignee all).",
    ),
    "alias": Lazy("alias_cmd", "app", "Name a command line you run often: closetask calls runs it."),
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

    def list_commands(self, ctx: Any) -> list[str]:
        # Aliases too, for shell completion (main() expands them before click parses).
        return [*super().list_commands(ctx), *(a for a in _aliases(ctx) if a not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _name_global_options(command)
            return command
        line = _aliases(ctx).get(cmd_name)
        return None if line is None else TyperCommand(cmd_name, help=f"Alias: closetask {line}", rich_markup_mode=None)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        super().format_commands(ctx, formatter)
        known = _aliases(ctx)
        if known:
            with formatter.section("Aliases (closetask alias list)"):
                formatter.write_dl([(name, line) for name, line in sorted(known.items())])


def _aliases(ctx: Any) -> dict[str, str]:
    """The config file's aliases, for the root listing and completion."""
    from closetask import aliases
    from closetask.env import Env

    obj = ctx.find_root().obj
    env = obj if isinstance(obj, Env) else getattr(obj, "env", None) or Env()
    return aliases.known(env.environ)


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
        "Run without a command to see today's inbox. Help topics: closetask help (exit-codes,\n"
        "environment, dates); a command's help: closetask help COMMAND.\n\n"
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
    """Run closetask; map every exception to its exit code and at most two lines on stderr
    (`error: ...`, and sometimes `hint: ...`), click's usage errors included.

    `env` (streams, TTY flags, environment, clock; see env.py) defaults to this process's.
    """
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    from typer.exceptions import Abort

    from closetask.errors import ClosetaskError, Interrupted
    from closetask.exitcodes import ExitCode

    args = expand_alias(hoist_global_options(sys.argv[1:] if argv is None else argv), env)
    debug = "--debug" in args
    # Commands are imported and converted to click on first use: see lazy_group.py.
    command = _guard_pipe(typer.main.get_command(app))
    from closetask.cli.signals import install_interrupt_handlers, restore_handlers

    previous = install_interrupt_handlers()
    _replace_what_cannot_print()
    real_stdout = sys.stdout  # None when started with `>&-`: Python has no stdout at all
    sys.stdout = _ClosedStdout() if real_stdout is None else _GuardedStdout(real_stdout)
    try:
        # Not standalone: click's own handling prints four-line usage errors and turns a broken
        # pipe into exit 1 before we see it; here every error gets closetask's one line.
        code = command.main(args=args, prog_name="closetask", standalone_mode=False, obj=env)
        _flush_stdout()
        sys.exit(code if isinstance(code, int) else int(ExitCode.OK))  # an int: typer.Exit's code
    except _ReaderGone:
        # The reader went away (`closetask inbox --ids | head -1`): not an error of ours.
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except Interrupted as exc:  # not an error: the person asked for it ("interrupted: ...")
        print(exc.message, file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except ClosetaskError as exc:
        report(exc.message, exc.hint)
        sys.exit(int(exc.exit_code))
    except NoArgsIsHelpError as exc:  # `closetask config`: the group's help, as click shows it
        print(exc.format_message(), file=sys.stderr)
        sys.exit(int(ExitCode.USAGE))
    except UsageError as exc:
        path = exc.ctx.command_path if exc.ctx is not None else "closetask"
        report(_one_line(exc.format_message()), f"{path} --help")
        sys.exit(int(ExitCode.USAGE))
    except ClickException as exc:
        report(_one_line(exc.format_message()))
        sys.exit(exc.exit_code)
    except Abort:  # a prompt answered with Ctrl-D or Ctrl-C: nothing was done after it
        report("aborted: no answer")
        sys.exit(int(ExitCode.ERROR))
    except KeyboardInterrupt:  # raised outside Typer's own handling; the handler printed why
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if debug:
            raise
        report(f"unexpected error: {type(exc).__name__}: {exc}", "run again with --debug for the traceback")
        sys.exit(int(ExitCode.ERROR))
    finally:
        sys.stdout = real_stdout
        restore_handlers(previous)


class _ReaderGone(BaseException):
    """stdout's reader closed the pipe. A BaseException so that no `except Exception` on the
    way up (click's own turns a broken pipe into exit 1) stops it before main()."""


def _guard_pipe(command: Any) -> Any:
    """Wrap the root command's parsing (which prints --help) and running so that a broken
    pipe leaves as _ReaderGone, past click's handler, whatever output mode raised it."""
    import errno
    import functools

    def guarded(method: Any) -> Any:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except OSError as exc:
                if exc.errno == errno.EPIPE:
                    raise _ReaderGone from exc
                raise

        return call

    command.make_context = guarded(command.make_context)
    command.invoke = guarded(command.invoke)
    return command


class _ClosedStdout:
    """Stands for a stdout closed before the run (`closetask inbox >&-`): the first write
    says so in one line (exit 1) instead of an AttributeError on None."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        from closetask.errors import ClosetaskError

        raise ClosetaskError("cannot print: stdout is closed", hint="redirect it to a file or /dev/null instead")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("stdout is closed")


def _stdout_failed(exc: OSError) -> BaseException:
    import errno

    from closetask.errors import ClosetaskError

    if exc.errno == errno.EPIPE:
        return _ReaderGone()
    _silence_stdout()  # what is still buffered would fail again at exit, in Python's words
    return ClosetaskError(f"cannot write to stdout: {exc.strerror or exc}")


class _GuardedStdout:
    """sys.stdout for the run: a write that fails (`> /dev/full`, a reader gone) becomes
    one line (or a quiet exit 0) wherever in a command it happens. Everything else is the
    stream's own."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as exc:
            raise _stdout_failed(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _stdout_failed(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _flush_stdout() -> None:
    """Flush stdout now, where a failure can still be reported: at interpreter exit a broken
    pipe would print Python's own message and exit 120."""
    if sys.stdout is not None:
        sys.stdout.flush()


def _one_line(message: str) -> str:
    """Click's message on one line, a value pasted by mistake (5,000 digits) cut short."""
    import re

    def cut(match: re.Match[str]) -> str:
        value = match.group(1)
        return f"'{value[:24]}...' ({len(value)} characters)"

    return re.sub(r"'([^']{60,})'", cut, " ".join(message.split()))


_GLOBAL_FLAGS = ("--sandbox", "--debug")
_GLOBAL_VALUED = ("--profile", "-p")


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options given after the command to the front, where click reads them:
    `closetask inbox --profile acme` and `closetask config init --profile acme` work as
    `closetask --profile acme inbox` does. Nothing after `--` moves."""
    i = command_position(args)
    front: list[str] = list(args[:i])  # already in front
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


def _replace_what_cannot_print() -> None:
    """A terminal or stream that is not UTF-8 (LANG=C without UTF-8 coercion, a latin-1
    console) gets `?` for a character it cannot show, instead of a crash half-way through
    a table; JSON escapes such characters instead (render.machine), so no data is lost."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding and not encoding.startswith("utf"):
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a closed stream: nothing will be printed there
                pass


def command_position(args: list[str]) -> int:
    """Where the command word is: after the options given before it (and their values)."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        if args[i] in _GLOBAL_VALUED and i + 1 < len(args):
            i += 1
        i += 1
    return i


def expand_alias(args: list[str], env: Env | None) -> list[str]:
    """`args` with an alias in the command word's place expanded (aliases.py); the config
    file is read only when that word is not a command, so commands pay nothing for aliases."""
    at = command_position(args)
    if at >= len(args) or args[at] in COMMANDS:
        return args
    from closetask import aliases
    from closetask.env import Env

    known = aliases.known((env or Env()).environ)
    return hoist_global_options(aliases.expand(args, known, COMMANDS, skip=at))


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
