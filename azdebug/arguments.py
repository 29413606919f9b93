"""The command line: subcommands, flags and their help, with each value checked where it is parsed
(argparse then exits 2 with the usage and a message naming the flag)."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from azdebug.limits import OPTION_RANGES, RELEVANCES, option_problem

DEFAULT_URL = "http://localhost:7071"
URL_ENV = "AZDEBUG_URL"
KEY_ENV = "AZDEBUG_KEY"
# The client's own default wait: short, so the progress line moves while the service works (the
# server's default is 30 s, during which a client would show nothing).
DEFAULT_WAIT_SECONDS = 5
TRACE_ID = re.compile(r"^[0-9a-f]{32}$")

EXIT_DONE, EXIT_FAIL, EXIT_ERROR, EXIT_STOPPED = 0, 1, 2, 3

EPILOG = f"""\
exit codes:
  {EXIT_DONE}  the session ended 'done' (root cause found); for show/delete: success
  {EXIT_FAIL}  the session ended 'fail' (no root cause within its limits, expired, cancelled...)
  {EXIT_ERROR}  usage error, input over a contract limit, or an HTTP/contract error from the service
  {EXIT_STOPPED}  stopped by you (:quit, declined to continue, Ctrl-C); the session can be resumed

environment:
  {URL_ENV}   default for --url (else {DEFAULT_URL})
  {KEY_ENV}   default for --key (the function key, sent as x-functions-key; never printed)
"""

ANSWER_HELP = """\
Type or paste your answer: any number of lines, ended by a line holding a single '.' (or Ctrl-D).
Lines that are commands:
  :file PATH[:primary|secondary|config]   attach a file (repeatable; the path is sent as given)
  :env KEY=VALUE                          add environment information (e.g. resource_group=rg)
  :quit                                   stop here; the session waits and 'continue TRACE_ID' resumes it
  :help                                   show this help
"""
REQUESTS_HELP = ("When the service asks for something only you can supply, its question, why it matters\n"
                 "and the commands that would show it are printed, and you answer:\n\n" + ANSWER_HELP)


@dataclass(frozen=True)
class FileSpec:
    """A `--file PATH[:relevance]` value: the path as given and the relevance, if one was named."""

    path: str
    relevance: str | None = None


def file_spec(value: str) -> FileSpec:
    path, _, suffix = value.rpartition(":")
    if path and suffix in RELEVANCES:
        return FileSpec(path, suffix)
    if not value:
        raise argparse.ArgumentTypeError("the path is empty")
    return FileSpec(value)


def env_pair(value: str) -> tuple[str, str]:
    key, sep, item = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {value!r}")
    return key.strip(), item


def trace_id(value: str) -> str:
    if not TRACE_ID.match(value):
        raise argparse.ArgumentTypeError("a trace_id is the 32 lower-case hex characters the service printed")
    return value


def url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// url, got {value!r}")
    return value


def ranged(name: str) -> Callable[[str], int]:
    """An int type for argparse that enforces the contract's range of option `name`."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if (problem := option_problem(name, number)) is not None:
            raise argparse.ArgumentTypeError(problem)
        return number

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m azdebug", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Command-line client for the Azure error debugging service (HTTP API contract v1).\n\n"
                    "  python -m azdebug debug --error \"...\" --file main.py:primary --url http://localhost:7071\n\n"
                    "Each command has its own help: python -m azdebug COMMAND --help")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    debug = _command(commands, "debug", "start a debug session and follow it to its report",
                     description="Start a session, show its progress, answer its requests, print its report.\n\n"
                                 + REQUESTS_HELP)
    source = debug.add_argument_group("the error (one of)").add_mutually_exclusive_group(required=True)
    source.add_argument("--error", "-e", metavar="TEXT", help="the error text; '-' reads it from standard input")
    source.add_argument("--error-file", metavar="PATH", help="read the error text from a file ('-': standard input)")
    _material_flags(debug)
    options = debug.add_argument_group("session options (the service's defaults apply when not given)")
    for name, flag, what in (("max_depth", "--max-depth", "investigation steps per round"),
                             ("time_limit_seconds", "--time-limit-seconds", "seconds per round"),
                             ("max_rounds", "--max-rounds", "rounds in the session")):
        low, high = OPTION_RANGES[name]
        options.add_argument(flag, type=ranged(name), metavar="N", help=f"{what}, {low}-{high}")
    options.add_argument("--auto-continue", action="store_true",
                         help="rounds follow each other on the service without asking (for unattended runs)")
    _follow_flags(debug)

    resume = _command(commands, "continue", "resume a session: answer its request, add files, or go on",
                      description="Resume a session that waits (or follow one that works). An answer or files\n"
                                  "given here are sent as soon as the session waits for you; without them you\n"
                                  "are asked, as in 'debug'.\n\n" + REQUESTS_HELP)
    resume.add_argument("trace_id", type=trace_id, metavar="TRACE_ID")
    answer = resume.add_mutually_exclusive_group()
    answer.add_argument("--answer", "-a", metavar="TEXT", help="the answer to the request; '-' reads standard input")
    answer.add_argument("--answer-file", metavar="PATH", help="read the answer from a file")
    resume.add_argument("--reopen", action="store_true",
                        help="on a finished session whose fix did not work: a new round that rules the earlier "
                             "cause out (give what changed with --answer)")
    _material_flags(resume)
    _follow_flags(resume)

    feedback = _command(commands, "feedback", "say whether a finished session's fix worked",
                        description="Tell the service whether the fix worked; it counts for that kind of error,\n"
                                    "so later sessions rank their fixes by what worked. The last feedback counts.")
    feedback.add_argument("trace_id", type=trace_id, metavar="TRACE_ID")
    feedback.add_argument("outcome", choices=("fixed", "not_fixed", "partly"))
    feedback.add_argument("--note", metavar="TEXT", help="what happened (at most 2,000 characters)")

    show = _command(commands, "show", "print a session's current envelope",
                    description="Print a session's current state: its report when finished, its request\n"
                                "when it waits for you. Exit code 1 when it ended 'fail', else 0.")
    show.add_argument("trace_id", type=trace_id, metavar="TRACE_ID")
    show.add_argument("--json", action="store_true", help="print the raw envelope as JSON on stdout")

    delete = _command(commands, "delete", "cancel a session and purge what it stored",
                      description="Cancel the session (if it still runs) and purge everything it stored.")
    delete.add_argument("trace_id", type=trace_id, metavar="TRACE_ID")
    return parser


def connection(args: argparse.Namespace) -> tuple[str, str | None]:
    """The service url and function key: flags first, then the environment, then the default url."""
    return args.url or os.environ.get(URL_ENV) or DEFAULT_URL, args.key or os.environ.get(KEY_ENV) or None


def _command(commands: argparse._SubParsersAction, name: str, summary: str,
             description: str) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=description, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    service = command.add_argument_group("service")
    service.add_argument("--url", type=url, help=f"the service, e.g. {DEFAULT_URL} (default: ${URL_ENV} or that)")
    service.add_argument("--key", help=f"function key, sent as x-functions-key (default: ${KEY_ENV})")
    return command


def _material_flags(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("context")
    group.add_argument("--file", "-f", dest="files", type=file_spec, action="append", default=[],
                       metavar="PATH[:RELEVANCE]",
                       help="a source file to send (repeatable); RELEVANCE is primary, secondary (the service's "
                            "default) or config; the path is sent as given and must be relative")
    group.add_argument("--env", dest="env", type=env_pair, action="append", default=[], metavar="KEY=VALUE",
                       help="environment information (repeatable), e.g. azure_subscription=..., "
                            "resource_group=..., technologies=python,azure-functions (comma-separated list); "
                            "subscription and subscription_id mean azure_subscription")


def _follow_flags(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("following the session")
    low, high = OPTION_RANGES["wait_seconds"]
    group.add_argument("--wait-seconds", type=ranged("wait_seconds"), default=DEFAULT_WAIT_SECONDS, metavar="N",
                       help=f"how long each call may wait on the service for a state that needs you, {low}-{high} "
                            f"(default {DEFAULT_WAIT_SECONDS}, so progress shows while it works)")
    group.add_argument("--yes", "-y", action="store_true",
                       help="when a round's budget is spent, continue without asking")
    group.add_argument("--json", action="store_true",
                       help="print the final envelope as JSON on stdout instead of the readable report "
                            "(when you stop, the envelope it stopped at)")
