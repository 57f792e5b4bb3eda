"""Structured JSON logs with correlation ids carried in context variables.

A last processor masks anything that looks like a resident ID number, so personal data cannot
reach the logs even by mistake (defence in depth; services never log it on purpose).

The libraries' lines (aiokafka, uvicorn, SQLAlchemy, asyncpg: anything logging through the
standard library) are handed to the same pipeline, so they are JSON, masked and carry the trace
id like the project's own.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import orjson
import structlog

from servicekit.telemetry import span_traceparent
from servicekit.tracing import current_traceparent, trace_id

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def redact(text: str) -> str:
    return _ID_NUMBER.sub(r"\1********\2", text)


_ID_LENGTH = 18


def _redact_event(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event_dict.items():
        # A string shorter than an ID number cannot hold one: most values of a line (levels, ids,
        # methods, statuses) are skipped without running the pattern.
        if isinstance(value, str) and len(value) >= _ID_LENGTH:
            event_dict[key] = redact(value)
    return event_dict


def _add_trace_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The trace the line belongs to, where the caller has not bound one (a library's line)."""
    if "trace_id" not in event_dict:
        current = trace_id(span_traceparent() or current_traceparent.get())
        if current is not None:
            event_dict["trace_id"] = current
    return event_dict


class ToStructlog(logging.Handler):
    """A standard-library record, as a line of the structured pipeline (level, logger name,
    message, exception), filtered by the same level."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            extra: dict[str, Any] = {"logger": record.name}
            if record.exc_info:
                extra["exc_info"] = record.exc_info
            structlog.get_logger().log(record.levelno, record.getMessage(), **extra)
        except Exception:
            self.handleError(record)


# Libraries whose lines reach the root logger; uvicorn installs handlers of its own on its loggers
# when its server is configured, which `adopt_library_loggers` takes back.
LIBRARIES = ("aiokafka", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "asyncpg", "alembic")


def adopt_library_loggers() -> None:
    """Sends the libraries' loggers through the root's structured handler (a no-op before
    `configure_logging`, e.g. an app built in a test)."""
    if not any(isinstance(h, ToStructlog) for h in logging.getLogger().handlers):
        return
    for name in LIBRARIES:
        library = logging.getLogger(name)
        library.handlers = []
        library.propagate = True


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    # JSON lines rendered by orjson straight to bytes: several times cheaper per line than the
    # standard library's encoder and a text stream.
    renderer: Any = structlog.processors.JSONRenderer(serializer=orjson.dumps) if json \
        else structlog.dev.ConsoleRenderer()
    factory: Any = structlog.BytesLoggerFactory(file=sys.stdout.buffer) if json \
        else structlog.PrintLoggerFactory(file=sys.stdout)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _add_trace_id,
            _redact_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    root = logging.getLogger()
    root.handlers = [ToStructlog()]
    root.setLevel(logging.WARNING)  # libraries' warnings and errors; their chatter stays out
    adopt_library_loggers()


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
