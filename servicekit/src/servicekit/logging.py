"""Structured JSON logs with correlation ids carried in context variables.

A last processor masks anything that looks like a resident ID number, so personal data cannot
reach the logs even by mistake (defence in depth; services never log it on purpose).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import orjson
import structlog

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
            _redact_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(message)s")


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
