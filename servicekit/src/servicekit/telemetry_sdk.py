"""The OpenTelemetry SDK pieces of servicekit's tracing, imported only once tracing is on."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler, SamplingResult
from opentelemetry.trace import SpanKind


class NoRootDatabaseCalls(Sampler):
    """The root of a span tree: recorded, unless a database call would start it (the relay's and
    the probes' polls run outside any request or event and would each make a trace of one
    statement). Whether a trace is recorded at all is decided before any span of it is asked for
    (`servicekit.tracing.begin_trace`): servicekit starts a root span only for a trace it chose to
    record. A span with a parent follows its parent's decision (`ParentBased`)."""

    def should_sample(self, parent_context: Any, trace_id: int, name: str, kind: SpanKind | None = None,
                      attributes: Any = None, links: Any = None, trace_state: Any = None) -> SamplingResult:
        chosen = ALWAYS_OFF if kind == SpanKind.CLIENT else ALWAYS_ON
        return chosen.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return "NoRootDatabaseCalls"


class JsonLinesExporter(SpanExporter):
    """Each finished span as one JSON line (OTEL_TRACES_FILE): enough to follow a trace across
    processes without a collector."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = b"".join(orjson.dumps(span_record(s)) + b"\n" for s in spans)
        with self._lock, self.path.open("ab") as out:
            out.write(lines)
        return SpanExportResult.SUCCESS


def span_record(span: ReadableSpan) -> dict[str, Any]:
    ctx, parent = span.get_span_context(), span.parent
    assert ctx is not None  # a finished span always has its context
    return {
        "name": span.name, "service": span.resource.attributes.get("service.name"),
        "kind": span.kind.name, "trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}",
        "parent_span_id": f"{parent.span_id:016x}" if parent is not None else None,
        "links": [{"trace_id": f"{link.context.trace_id:032x}", "span_id": f"{link.context.span_id:016x}"}
                  for link in span.links],
        "status": span.status.status_code.name, "start": span.start_time, "end": span.end_time,
        "attributes": dict(span.attributes or {}),
    }
