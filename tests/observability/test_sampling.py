"""Head sampling (OTEL_TRACES_SAMPLER_ARG): a share of the traces begun here is recorded, a span
with a parent follows its parent, so a trace is recorded whole or not at all, and a database
call never begins a trace of its own."""

from __future__ import annotations

from types import SimpleNamespace

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    TraceFlags,
    set_span_in_context,
    use_span,
)
from sqlalchemy import create_engine, text

from servicekit import telemetry
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


class _Counting(ParentBased):
    """The service's sampler, counting the spans it is asked about."""

    def __init__(self, ratio: float) -> None:
        super().__init__(root=NoRootDatabaseCalls(ratio))
        self.asked: list[str] = []

    def should_sample(self, parent_context, trace_id, name, kind=None, attributes=None, links=None,  # type: ignore[no-untyped-def]
                      trace_state=None):
        self.asked.append(name)
        return super().should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)


def test_a_statement_outside_a_recorded_trace_starts_no_span_and_one_inside_is_its_child() -> None:
    sampler, exporter = _Counting(0.0), InMemorySpanExporter()
    provider = TracerProvider(sampler=sampler)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = SimpleNamespace(sync_engine=create_engine("sqlite://"))
    telemetry.use_provider(provider)
    try:
        telemetry.instrument_engine(engine)
        tracer = provider.get_tracer("t")
        with engine.sync_engine.connect() as conn:
            conn.execute(text("SELECT 1"))  # a poll outside any request or event
            with tracer.start_as_current_span("POST sampled out", kind=SpanKind.SERVER):
                conn.execute(text("SELECT 2"))
            assert sampler.asked == ["POST sampled out"]  # no statement span even begun
            recorded = tracer.start_span("POST recorded", kind=SpanKind.SERVER,
                                         context=set_span_in_context(NonRecordingSpan(SpanContext(
                                             1, 2, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)))))
            with use_span(recorded, end_on_exit=True):
                conn.execute(text("SELECT 3"))
    finally:
        telemetry.use_provider(None)
    spans = {s.name: s for s in exporter.get_finished_spans()}
    [statement] = [s for s in spans.values() if s.kind is SpanKind.CLIENT]
    assert statement.parent is not None and statement.parent.span_id == spans["POST recorded"].context.span_id
