"""Head sampling (OTEL_TRACES_SAMPLER_ARG): a share of the traces begun here is recorded, decided
once where the trace begins and carried in its `traceparent`'s flag, so a trace is recorded whole
or not at all; outside a recorded trace no span object is made at all (the sampler is never even
asked), and a database call never begins a trace of its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    StatusCode,
    TraceFlags,
    set_span_in_context,
    use_span,
)
from sqlalchemy import create_engine, text

from servicekit import telemetry
from servicekit.db import Database
from servicekit.http import create_app
from servicekit.metrics import Metrics
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.telemetry_sdk import NoRootDatabaseCalls
from servicekit.tracing import begin_trace, current_traceparent, new_traceparent, sampled, trace_id

RECORDED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
LEFT_OUT = "00-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-00"


class _Counting(ParentBased):
    """The service's sampler, counting the spans it is asked about."""

    def __init__(self) -> None:
        super().__init__(root=NoRootDatabaseCalls())
        self.asked: list[str] = []

    def should_sample(self, parent_context, trace_id, name, kind=None, attributes=None, links=None,  # type: ignore[no-untyped-def]
                      trace_state=None):
        self.asked.append(name)
        return super().should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)


@dataclass
class Traced:
    sampler: _Counting = field(default_factory=_Counting)
    exporter: InMemorySpanExporter = field(default_factory=InMemorySpanExporter)

    def __post_init__(self) -> None:
        self.provider = TracerProvider(sampler=self.sampler)
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def record(self, share: float) -> None:
        """Tracing on in this process, recording `share` of the traces begun here."""
        telemetry.use_provider(self.provider, share)


@pytest.fixture
def traced() -> Iterator[Traced]:
    yield Traced()
    telemetry.use_provider(None)


def _app(seen: list[str | None]) -> object:
    router = APIRouter()

    @router.post("/v1/revenue-filings")
    async def filing() -> dict[str, str]:
        seen.append(new_traceparent(current_traceparent.get()))  # what the outbox would store
        return {}

    settings = ServiceSettings(environment="test")
    runtime = ServiceRuntime(settings, Database.connect(settings.database_url), Metrics())
    return create_app(runtime, [router], title="t", description="t", run_background=False)


async def _post(app: object, count: int, headers: dict[str, str] | None = None) -> list[httpx.Response]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:  # type: ignore[arg-type]
        return [await client.post("/v1/revenue-filings", headers=headers) for _ in range(count)]


async def test_a_share_of_the_requests_begins_a_recorded_trace_and_the_rest_make_no_span(traced: Traced) -> None:
    sampler, exporter = traced.sampler, traced.exporter
    traced.record(0.25)
    seen: list[str | None] = []
    answers = await _post(_app(seen), 800)
    spans = exporter.get_finished_spans()
    assert 120 < len(spans) < 280  # a quarter of 800, give or take
    assert len(sampler.asked) == len(spans)  # a request left out never even asked for a span
    recorded = {f"{s.context.trace_id:032x}" for s in spans}
    # Every answer names its trace, and its flag says which were kept; what the request writes
    # (an event's context) carries the same decision on to every later hop.
    assert {trace_id(a.headers["traceparent"]) for a in answers if sampled(a.headers["traceparent"])} == recorded
    assert [sampled(a.headers["traceparent"]) for a in answers] == [sampled(s) for s in seen]
    assert [trace_id(a.headers["traceparent"]) for a in answers] == [trace_id(s) for s in seen]


async def test_a_callers_decision_is_followed_either_way(traced: Traced) -> None:
    sampler, exporter = traced.sampler, traced.exporter
    traced.record(1.0)
    seen: list[str | None] = []
    [left_out] = await _post(_app(seen), 1, {"traceparent": LEFT_OUT})
    assert exporter.get_finished_spans() == () and sampler.asked == []
    assert trace_id(left_out.headers["traceparent"]) == trace_id(LEFT_OUT) and not sampled(seen[0])
    traced.record(0.0)  # recording no trace begun here
    [kept] = await _post(_app(seen), 1, {"traceparent": RECORDED})
    [span] = exporter.get_finished_spans()
    assert f"{span.context.trace_id:032x}" == trace_id(RECORDED) and sampled(kept.headers["traceparent"])


def test_events_of_a_trace_left_out_are_published_and_consumed_without_spans(traced: Traced) -> None:
    sampler, exporter = traced.sampler, traced.exporter
    traced.record(1.0)
    publishing = telemetry.Publishing()
    assert publishing.headers("grades", {"traceparent": LEFT_OUT}) == [("traceparent", LEFT_OUT.encode())]
    publishing.finish([None])
    with telemetry.Consuming("credit-ledger", [LEFT_OUT, LEFT_OUT]) as batch:
        assert batch.event(0, "grades", "e1", "ParcelGraded") == LEFT_OUT
    with telemetry.processing("credit-ledger", "grades", "e2", "ParcelGraded", LEFT_OUT) as carried:
        assert carried == LEFT_OUT
    assert sampler.asked == [] and exporter.get_finished_spans() == ()
    # One recorded event makes its batch recorded; the other event in it still gets no span.
    with telemetry.Consuming("credit-ledger", [LEFT_OUT, RECORDED]) as batch:
        batch.event(0, "grades", "e3", "ParcelGraded")
        own = batch.event(1, "grades", "e4", "ParcelGraded")
    names = sorted(s.name for s in exporter.get_finished_spans())
    assert names == ["credit-ledger process batch", "grades process"] and trace_id(own) == trace_id(RECORDED)


def test_a_failed_publish_marks_its_own_span_not_a_neighbours(traced: Traced) -> None:
    traced.record(1.0)
    publishing = telemetry.Publishing()
    publishing.headers("grades", {"traceparent": LEFT_OUT})  # sent first, and failed
    publishing.headers("grades", {"traceparent": RECORDED})  # sent fine
    publishing.finish([RuntimeError("broker away"), object()])
    [span] = traced.exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.UNSET


def test_an_event_that_came_without_a_context_begins_a_trace_of_its_own(traced: Traced) -> None:
    traced.record(1.0)
    with telemetry.Consuming("credit-ledger", [None]) as batch:
        carried = batch.event(0, "grades", "e1", "ParcelGraded")
    with telemetry.processing("credit-ledger", "grades", "e2", "ParcelGraded", None) as alone:
        pass
    roots = [s for s in traced.exporter.get_finished_spans() if s.name == "grades process"]
    assert len(roots) == 2 and all(s.parent is None for s in roots)  # no parent made up for them
    assert {trace_id(carried), trace_id(alone)} == {f"{s.context.trace_id:032x}" for s in roots}


@pytest.mark.parametrize(("header", "kept"), [
    (LEFT_OUT + " ", trace_id(LEFT_OUT)),  # blanks around: read as OpenTelemetry reads them
    ("\t" + LEFT_OUT, trace_id(LEFT_OUT)),
    ("01-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-00-later", trace_id(LEFT_OUT)),  # a later version
    ("00-" + "0" * 32 + "-b7ad6b7169203331-00", None),  # no trace: invalid, a trace of its own begins
    ("00-0af7651916cd43dd8448eb211c80319d-" + "0" * 16 + "-00", None),
    ("ff-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-00", None),
    ("00-0af7651916cd43dd8448eb211c80319d-b7ad6b7169203331-00-extra", None),
])
async def test_a_callers_context_is_valid_exactly_when_opentelemetry_reads_it_so(traced: Traced, header: str,
                                                                                   kept: str | None) -> None:
    traced.record(0.0)  # nothing begun here is recorded, so any span would be the caller's doing
    seen: list[str | None] = []
    [answer] = await _post(_app(seen), 1, {"traceparent": header})
    assert traced.sampler.asked == [] and traced.exporter.get_finished_spans() == ()
    answered = trace_id(answer.headers["traceparent"])
    assert answered == kept if kept else answered not in (None, "0" * 32, trace_id(LEFT_OUT))


def test_new_traces_are_flagged_for_the_share_recorded(traced: Traced) -> None:
    traced.record(0.1)
    flags = [sampled(begin_trace()) for _ in range(4000)]
    assert 250 < sum(flags) < 550  # a tenth of 4,000, give or take
    telemetry.use_provider(None)
    assert all(sampled(begin_trace()) for _ in range(200))  # off: every trace flagged for whoever records


def test_a_database_call_never_begins_a_trace() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=NoRootDatabaseCalls()))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    for _ in range(50):
        tracer.start_span("POST", kind=SpanKind.SERVER).end()
        tracer.start_span("SELECT outbox", kind=SpanKind.CLIENT).end()  # a relay's poll
    assert [s.name for s in exporter.get_finished_spans()] == ["POST"] * 50


def test_a_statement_outside_a_recorded_trace_starts_no_span_and_one_inside_is_its_child(traced: Traced) -> None:
    sampler, exporter = traced.sampler, traced.exporter
    traced.record(1.0)
    engine = type("Engine", (), {"sync_engine": create_engine("sqlite://")})()
    telemetry.instrument_engine(engine)
    tracer = traced.provider.get_tracer("t")

    def under(flags: int) -> Context:
        return set_span_in_context(NonRecordingSpan(SpanContext(1, 2, is_remote=True, trace_flags=TraceFlags(flags))))

    with engine.sync_engine.connect() as conn:
        conn.execute(text("SELECT 1"))  # a poll outside any request or event
        with tracer.start_as_current_span("POST sampled out", kind=SpanKind.SERVER, context=under(0)):
            conn.execute(text("SELECT 2"))
        assert sampler.asked == ["POST sampled out"]  # no statement span even begun
        recorded = tracer.start_span("POST recorded", kind=SpanKind.SERVER, context=under(TraceFlags.SAMPLED))
        with use_span(recorded, end_on_exit=True):
            conn.execute(text("SELECT 3"))
    spans = {s.name: s for s in exporter.get_finished_spans()}
    [statement] = [s for s in spans.values() if s.kind is SpanKind.CLIENT]
    assert statement.parent is not None and statement.parent.span_id == spans["POST recorded"].context.span_id
