"""W3C trace context, carried in HTTP headers and in Kafka record headers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
current_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)
# With OpenTelemetry on (servicekit.telemetry), a real span is made for each event when the relay
# publishes it, as a child of the span the event was written in: the outbox then stores that
# span's context as it is, rather than a made-up child no exporter ever hears of.
_real_spans = [False]


def real_spans(on: bool) -> None:
    _real_spans[0] = on


def new_traceparent(parent: str | None = None) -> str:
    """A new span; inside the parent's trace when a valid parent is given."""
    match = _TRACEPARENT.match(parent or "")
    if match and _real_spans[0]:
        return match.group(0)
    trace_id = match.group(1) if match else secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def new_traceparents(parent: str | None) -> Callable[[], str]:
    """`new_traceparent(parent)` for many spans at once: the parent is parsed once, not per span."""
    match = _TRACEPARENT.match(parent or "")
    if match is None:
        return new_traceparent
    if _real_spans[0]:
        same = match.group(0)
        return lambda: same
    prefix = f"00-{match.group(1)}-"
    return lambda: f"{prefix}{secrets.token_hex(8)}-01"


def trace_id(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None
