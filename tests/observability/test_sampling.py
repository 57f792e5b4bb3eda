"""Head sampling (OTEL_TRACES_SAMPLER_ARG): a share of the traces begun here is recorded, a span
with a parent follows its parent, so a trace is recorded whole or not at all, and a database
call never begins a trace of its own."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import SpanKind, set_span_in_context

from servicekit.telemetry_sdk import NoRootDatabaseCalls


def _provider(ratio: float) -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=NoRootDatabaseCalls(ratio)))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_a_share_of_the_traces_is_recorded_each_whole() -> None:
    provider, exporter = _provider(0.25)
    tracer = provider.get_tracer("t")
    for _ in range(2000):
        request = tracer.start_span("POST /v1/revenue-filings", kind=SpanKind.SERVER)
        statement = tracer.start_span("INSERT", kind=SpanKind.CLIENT, context=set_span_in_context(request))
        statement.end()
        request.end()
    finished = exporter.get_finished_spans()
    roots = [s for s in finished if s.parent is None]
    assert 400 < len(roots) < 600  # 25 % of 2,000, give or take
    assert len(finished) == 2 * len(roots)  # each recorded request has its statement, none other


def test_every_trace_is_recorded_by_default_and_a_database_call_never_begins_one() -> None:
    provider, exporter = _provider(1.0)
    tracer = provider.get_tracer("t")
    for _ in range(50):
        tracer.start_span("POST", kind=SpanKind.SERVER).end()
        tracer.start_span("SELECT outbox", kind=SpanKind.CLIENT).end()  # a relay's poll
    assert [s.name for s in exporter.get_finished_spans()] == ["POST"] * 50
