"""Every log record carries `trace_id`: the session id of the session span it was emitted in.

A record factory rather than a logging.Filter: filters only see records of the logger or handler
they sit on, while the factory stamps every record, whichever logger or exporter handles it (the
Azure Monitor log exporter sends it as a custom dimension)."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_session: contextvars.ContextVar[str] = contextvars.ContextVar("debug_session_id", default="")
_installed = False


@contextmanager
def session_scope(session_id: str) -> Iterator[None]:
    """Records emitted inside get `trace_id = session_id`."""
    token = _session.set(session_id)
    try:
        yield
    finally:
        _session.reset(token)


def current_session() -> str:
    """The session id of the enclosing session span, or ''."""
    return _session.get()


def install_log_context() -> None:
    """Wrap the record factory once: `record.trace_id` is the current session id, or ''."""
    global _installed
    if _installed:
        return
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        # Set on every record, so `extra={"trace_id": ...}` is refused by logging: use session_scope.
        record.trace_id = _session.get()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
