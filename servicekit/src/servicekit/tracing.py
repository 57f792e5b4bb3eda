"""W3C trace context, carried in HTTP headers and in Kafka record headers.

The `sampled` flag of a `traceparent` is decided once, where a trace begins (a request without a
caller's context, an event written outside any request), and every later hop follows it: with
OpenTelemetry on (servicekit.telemetry) a span is made only in a trace whose flag is set, and a
trace not recorded costs each hop no more than carrying its context along.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
current_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)
# With OpenTelemetry on, a real span is made for each event when the relay publishes it, as a
# child of the span the event was written in: the outbox then stores that span's context as it
# is, rather than a made-up child no exporter ever hears of. `recorded_share` is the share of new
# traces flagged sampled (OTEL_TRACES_SAMPLER_ARG); with tracing off every new trace is flagged,
# as before, for whoever downstream records traces.
_state: dict[str, float | bool] = {"real_spans": False, "recorded_share": 1.0}


def real_spans(on: bool, recorded_share: float = 1.0) -> None:
    _state["real_spans"], _state["recorded_share"] = on, recorded_share if on else 1.0


def begin_trace() -> str:
    """A new trace's first context, flagged sampled for `recorded_share` of the traces begun."""
    share = _state["recorded_share"]
    flags = "01" if share >= 1 or secrets.randbits(32) < share * 2**32 else "00"
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-{flags}"


def child_traceparent(parent: str | None) -> str:
    """A new span id in the parent's trace, with the parent's flags; a new trace without a valid
    parent."""
    match = _TRACEPARENT.match(parent or "")
    if match is None:
        return begin_trace()
    return f"00-{match.group(1)}-{secrets.token_hex(8)}-{match.group(3)}"


def new_traceparent(parent: str | None = None) -> str:
    """The context an event is written under: the parent's own with real spans (the relay makes
    the child), else a made-up child; a new trace without a valid parent."""
    if _state["real_spans"] and _TRACEPARENT.match(parent or ""):
        return parent  # type: ignore[return-value]  # matched, so a str
    return child_traceparent(parent)


def new_traceparents(parent: str | None) -> Callable[[], str]:
    """`new_traceparent(parent)` for many spans at once: the parent is parsed once, not per span."""
    match = _TRACEPARENT.match(parent or "")
    if match is None:
        return new_traceparent
    if _state["real_spans"]:
        same = match.group(0)
        return lambda: same
    prefix, flags = f"00-{match.group(1)}-", f"-{match.group(3)}"
    return lambda: f"{prefix}{secrets.token_hex(8)}{flags}"


def sampled(traceparent: str | None) -> bool:
    """Whether the trace this context belongs to is recorded (its `sampled` flag)."""
    match = _TRACEPARENT.match(traceparent or "")
    return match is not None and bool(int(match.group(3), 16) & 1)


def trace_id(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None
