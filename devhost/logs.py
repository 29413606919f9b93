"""Logging setup, and exception logging that never prints an exception's message.

Messages often quote the data that caused them (a request body, an activity input), and devhost logs must
never hold user data: the frames show where it failed, the type says what; the message stays in history."""

from __future__ import annotations

import logging
import sys
import traceback


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # devhost writes its own request lines


def log_exception(logger: logging.Logger, what: str, exc: BaseException) -> None:
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s: %s (message withheld: it may contain request data)\nTraceback:\n%s",
                 what, type(exc).__name__, frames.rstrip())
