"""Fuzz the command line: random commands, options and values, in-process against the embedded
sandbox (or with no key at all). Whatever is typed: no traceback, no catch-all "unexpected
error", a documented exit code, a message on stderr for every failure, and nothing on stdout
for a usage error. Seeded (derandomized) and bounded, so CI sees the same cases every run."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

WORDS = [
    "",
    " ",
    "-",
    "--",
    "0",
    "1",
    "2",
    "-1",
    "3",
    "99999999999999999999",
    "1e9",
    "0.5",
    "NaN",
    "-8",
    "5.5",
    "today",
    "tomorrow",
    "tomorrow 9am",
    "fri",
    "fri 14:30",
    "+3d",
    "-14d",
    "+1m",
    "2026-02-30",
    "2026-12-04",
    "2026-12-04T14:30:00+01:00",
    "25:00",
    "13pm",
    "someday",
    "all",
    "me",
    "nobody@example.com",
    "user_abc",
    "task_abcdefghijklmnop",
    "task_",
    "lead_abcdefghijklmnop",
    "lead_",
    "https://app.close.com/lead/lead_abcdefghijklmnop/",
    "https://app.close.com/lead/lead_x/#task=task_abcdefghijklm",
    "²",
    "é",
    "日本語",
    "\t",
    "a" * 300,
    "'",
    '"',
    "%s",
    "{}",
    "\\",
    "--json",
    "-n",
    "inbox",
    "archive",
    "lead",
    "missed_call,voicemail",
    "all,lead",
    "bogus_type",
    "date",
    "-date",
    "created",
    "-created",
    "id,date,text",
    "Europe/Paris",
    "Mars/Olympus",
    "exit-codes",
    "dates",
    "environment",
    "\u202e",
    "\x1b[31m",
]
values = st.one_of(
    st.sampled_from(WORDS), st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
)

VIEW_OPTIONS = {
    "--type": values,
    "-t": values,
    "--assignee": values,
    "--lead": values,
    "--from": values,
    "--to": values,
    "--created-after": values,
    "--created-before": values,
    "--order": values,
    "--limit": values,
    "--fields": values,
    "--json": None,
    "--jsonl": None,
    "--ids": None,
    "--concurrency": values,
}
CHANGE_OPTIONS = {"--json": None, "--dry-run": None, "-n": None}
# (command words, options: flag -> value strategy (None: a flag), positional argument counts)
COMMANDS = [
    (["inbox"], VIEW_OPTIONS, (0, 0)),
    (["future"], VIEW_OPTIONS, (0, 0)),
    (["archive"], VIEW_OPTIONS, (0, 0)),
    ([], {}, (0, 0)),  # bare closetask: the inbox
    (["add"], {"--lead": values, "-l": values, "--date": values, "--assign-to": values, **CHANGE_OPTIONS}, (0, 2)),
    (["done"], CHANGE_OPTIONS, (0, 3)),
    (["reopen"], CHANGE_OPTIONS, (0, 3)),
    (["reassign"], {"--assign-to": values, **CHANGE_OPTIONS}, (0, 3)),
    (["snooze"], CHANGE_OPTIONS, (0, 3)),
    (["edit"], {"--text": values, "--date": values, **CHANGE_OPTIONS}, (0, 2)),
    (["show"], {"--json": None}, (0, 2)),
    (["delete"], {"--yes": None, **CHANGE_OPTIONS}, (0, 2)),
    (["undo"], {"--list": None, "--limit": values, "--yes": None, **CHANGE_OPTIONS}, (0, 1)),
    (
        ["bulk"],
        {
            "--type": values,
            "--assignee": values,
            "--lead": values,
            "--created-after": values,
            "--created-before": values,
            "--view": values,
            "--before": values,
            "--after": values,
            "--id": values,
            "--all": None,
            "--complete": None,
            "--reopen": None,
            "--assign-to": values,
            "--date": values,
            "--dry-run": None,
            "--yes": None,
            "--max": values,
            "--json": None,
        },
        (0, 1),
    ),
    (["help"], {}, (0, 2)),
    (["whoami"], {"--json": None}, (0, 1)),
    (["config", "show"], {"--json": None}, (0, 1)),
    (["config", "path"], {}, (0, 1)),
    (["config", "profiles"], {"--json": None}, (0, 1)),
    (["config", "use"], {}, (0, 2)),
    # Settings that cannot point closetask at a network: no api_key, no base_url.
    (["config", "set"], {}, (0, 0)),
    (["config"], {}, (0, 1)),
    (["sandbox"], {}, (0, 0)),
]
CONFIG_KEYS = ["timezone", "tz_offset", "page_size", "timeout", "concurrency", "user_email", "colour", ""]


@st.composite
def command_lines(draw) -> list[str]:
    words, options, (low, high) = draw(st.sampled_from(COMMANDS))
    args: list[str] = []
    if draw(st.integers(0, 9)) < 8:
        args.append("--sandbox")
    if draw(st.integers(0, 9)) == 0:
        args.append("--debug")
    if draw(st.integers(0, 19)) == 0:
        args += ["--profile", draw(values)]
    args += words
    if words == ["config", "set"]:
        args += [draw(st.sampled_from(CONFIG_KEYS)), draw(values)]
    chosen = draw(st.lists(st.sampled_from(sorted(options)), max_size=4)) if options else []
    for flag in chosen:
        args.append(flag)
        if options[flag] is not None:
            args.append(draw(options[flag]))
    args += draw(st.lists(values, min_size=low, max_size=high))
    if draw(st.integers(0, 9)) == 0:  # junk: an unknown option, or --help somewhere
        args.insert(
            draw(st.integers(0, len(args))), draw(st.sampled_from(["--nope", "-z", "--help", "--json=1", "---"]))
        )
    return args


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command_lines())
def test_random_command_lines_never_crash(cli, args):
    result = cli(*args)
    event(f"exit {result.exit_code}")  # pytest --hypothesis-show-statistics shows the mix
    where = f"closetask {args!r} -> {result.exit_code}\n{result.stderr}"
    assert "Traceback" not in result.output, where
    assert "unexpected error" not in result.stderr, where
    assert result.exit_code in (0, 1, 2, 3, 4, 5), where
    if result.exit_code != 0:
        assert result.stderr.strip(), where  # every failure says why
    if result.exit_code == 2:
        assert result.stdout == "", where  # a usage error prints no data
    if result.exit_code != 0 and not result.stderr.startswith("Usage:"):  # a bare group shows its help
        lines = result.stderr.splitlines()
        errors = [line for line in lines if line.startswith("error: ")]
        assert len(errors) == 1 and lines[-1] in (errors[0], *[ln for ln in lines if ln.startswith("hint: ")][-1:]), (
            where
        )
