"""W3C trace context, carried in HTTP headers and in Kafka record headers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
current_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def new_traceparent(parent: str | None = None) -> str:
    """A new span; inside the parent's trace when a valid parent is given."""
    match = _TRACEPARENT.match(parent or "")
    trace_id = match.group(1) if match else secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def new_traceparents(parent: str | None) -> Callable[[], str]:
    """`new_traceparent(parent)` for many spans at once: the parent is parsed once, not per span."""
    match = _TRACEPARENT.match(parent or "")
    if match is None:
        return new_traceparent
    prefix = f"00-{match.group(1)}-"
    return lambda: f"{prefix}{secrets.token_hex(8)}-01"


def trace_id(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None
