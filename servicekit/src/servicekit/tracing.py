"""W3C trace context, carried in HTTP headers and in Kafka record headers.

The `sampled` flag of a `traceparent` is decided once, where a trace begins (a request without a
caller's context, an event written outside any request), and every later hop follows it: with
OpenTelemetry on (servicekit.telemetry) a span is made only in a trace whose flag is set, and a
trace not recorded costs each hop no more than carrying its context along.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar

# W3C Trace Context, read as OpenTelemetry's propagator reads it (so both agree on which contexts
# are valid and whether they are sampled): blanks around, a later version's extra fields after a
# fourth, never version ff, never an all-zero trace or span id.
_TRACEPARENT = re.compile(r"^[ \t]*([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:(-.*)|[ \t]*)$")
_NO_TRACE, _NO_SPAN = "0" * 32, "0" * 16
_LONGEST = 512  # the propagator ignores a longer header
current_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)
# With OpenTelemetry on, a real span is made for each event when the relay publishes it, as a
# child of the span the event was written in: the outbox then stores that span's context as it
# is, rather than a made-up child no exporter ever hears of. `recorded_share` is the share of new
# traces flagged sampled (OTEL_TRACES_SAMPLER_ARG); with tracing off every new trace is flagged,
# as before, for whoever downstream records traces.
_state: dict[str, float | bool] = {"real_spans": False, "recorded_share": 1.0}


def _parse(traceparent: str | None) -> tuple[str, str, str] | None:
    """(trace id, span id, flags) of a valid context; None for anything else."""
    match = _TRACEPARENT.match(traceparent) if traceparent and len(traceparent) <= _LONGEST else None
    if match is None:
        return None
    version, trace, span, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest) or trace == _NO_TRACE or span == _NO_SPAN:
        return None
    return trace, span, flags


def real_spans(on: bool, recorded_share: float = 1.0) -> None:
    _state["real_spans"], _state["recorded_share"] = on, recorded_share if on else 1.0


def begin_trace() -> str:
    """A new trace's first context, flagged sampled for `recorded_share` of the traces begun."""
    share = _state["recorded_share"]
    flags = "01" if share >= 1 or secrets.randbits(32) < share * 2**32 else "00"
    return f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-{flags}"


def child_traceparent(parent: str | None) -> str:
    """A new span id in the parent's trace, with the parent's flags (tracing on or off: a caller's
    decision not to record is passed on); a new trace without a valid parent."""
    parsed = _parse(parent)
    if parsed is None:
        return begin_trace()
    return f"00-{parsed[0]}-{os.urandom(8).hex()}-{parsed[2]}"


def new_traceparent(parent: str | None = None) -> str:
    """The context an event is written under: the parent's own with real spans (the relay makes
    the child), else a made-up child; a new trace without a valid parent."""
    parsed = _parse(parent)
    if parsed is not None and _state["real_spans"]:
        return f"00-{parsed[0]}-{parsed[1]}-{parsed[2]}"
    return child_traceparent(parent)


def new_traceparents(parent: str | None) -> Callable[[], str]:
    """`new_traceparent(parent)` for many spans at once: the parent is parsed once, not per span."""
    parsed = _parse(parent)
    if parsed is None:
        return new_traceparent
    if _state["real_spans"]:
        same = f"00-{parsed[0]}-{parsed[1]}-{parsed[2]}"
        return lambda: same
    prefix, flags = f"00-{parsed[0]}-", f"-{parsed[2]}"
    # os.urandom directly: what secrets.token_hex calls, three frames fewer per event a batch writes.
    return lambda: f"{prefix}{os.urandom(8).hex()}{flags}"


def sampled(traceparent: str | None) -> bool:
    """Whether the trace this context belongs to is recorded (its `sampled` flag)."""
    parsed = _parse(traceparent)
    return parsed is not None and bool(int(parsed[2], 16) & 1)


def trace_id(traceparent: str | None) -> str | None:
    parsed = _parse(traceparent)
    return parsed[0] if parsed else None
