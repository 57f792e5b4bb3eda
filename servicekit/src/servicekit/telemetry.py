"""OpenTelemetry traces: HTTP requests, database calls, outbox publishing and event processing,
one trace from a POST across every Kafka hop it causes.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_FILE) is set: then no SDK is loaded and
every hook below is one `is None` test. On, whether a trace is recorded is decided where it begins
(`tracing.begin_trace`, OTEL_TRACES_SAMPLER_ARG) and carried in its `traceparent`'s flag: outside
a recorded trace no hook below makes a span object at all (not even a non-recording one), so the
traces left out cost what tracing off costs. In a recorded trace the W3C `traceparent` links
the hops: an outbox row stores the span it was written in, the relay's publish span is that
span's child and travels in the record's headers, and the consumer's span for the event is the
publish span's child. A consumer applies events in batches: each event gets its own span in its
own trace, and the batch's span (under which its database calls run) links to them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from servicekit import tracing
from servicekit.settings import ServiceSettings
from servicekit.tracing import begin_trace, child_traceparent, sampled

_state: dict[str, Any] = {"provider": None, "tracer": None}
_PROPAGATOR = TraceContextTextMapPropagator()
QUIET_URLS = "/healthz,/readyz,/metrics"


def configure_tracing(settings: ServiceSettings) -> bool:
    """Sets up the process's tracer provider once, if an exporter is configured; True when on."""
    if _state["provider"] is not None:
        return True
    endpoint, path = settings.otel_exporter_otlp_endpoint, settings.otel_traces_file
    if not endpoint and not path:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased

    from servicekit.telemetry_sdk import JsonLinesExporter, NoRootDatabaseCalls

    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}),
                              sampler=ParentBased(root=NoRootDatabaseCalls()))
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")))
    if path:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(path)))
    use_provider(provider, settings.otel_traces_sampler_arg)
    return True


def use_provider(provider: Any, recorded_share: float = 1.0) -> None:
    """Traces into `provider` (an SDK TracerProvider), `recorded_share` of those begun here; or
    none at all with None."""
    _state["provider"] = provider
    _state["tracer"] = provider.get_tracer("servicekit") if provider is not None else None
    tracing.real_spans(provider is not None, recorded_share)


def tracer() -> Tracer | None:
    tracer_: Tracer | None = _state["tracer"]
    return tracer_


def flush() -> None:
    provider = _state["provider"]
    if provider is not None:
        provider.force_flush(5000)


def traceparent_of(span: Span) -> str | None:
    ctx = span.get_span_context()
    if not ctx.is_valid:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def span_traceparent() -> str | None:
    """The current span's context, when tracing is on and a span is current."""
    if _state["tracer"] is None:
        return None
    return traceparent_of(trace.get_current_span())


def _context(traceparent: str | None) -> otel_context.Context:
    return _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else otel_context.Context()


# ---- HTTP ---------------------------------------------------------------------------------------

def http_middleware() -> tuple[Any, dict[str, Any]] | None:
    """The ASGI instrumentation (class, options) to wrap the app in, when tracing is on."""
    if _state["tracer"] is None:
        return None
    return RecordedRequests, {"excluded_urls": QUIET_URLS, "exclude_spans": ["receive", "send"],
                              "tracer_provider": _state["provider"]}


class RecordedRequests:
    """OpenTelemetry's ASGI instrumentation for the requests of a recorded trace; every other
    request goes straight to the app with its trace context in `scope["traceparent"]`, flagged
    not sampled, for the request observer to carry into the events it writes."""

    def __init__(self, app: Any, **options: Any) -> None:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
        from opentelemetry.util.http import ExcludeList

        self.app, self.traced = app, OpenTelemetryMiddleware(app, **options)
        self.quiet = ExcludeList(options["excluded_urls"].split(","))  # as the middleware reads them

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.quiet.url_disabled(scope["path"]):
            await self.app(scope, receive, send)
            return
        caller = next((v.decode("latin-1") for k, v in scope.get("headers") or () if k == b"traceparent"), None)
        context = child_traceparent(caller)  # a new trace, sampled or not, without a valid caller
        if sampled(context):
            await self.traced(scope, receive, send)
        else:
            scope["traceparent"] = context
            await self.app(scope, receive, send)


def name_request_span(method: str, route: str) -> None:
    """Names the server span after the route template, not the path (ids would make every
    request a span name of its own)."""
    if _state["tracer"] is None:
        return
    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)


# ---- database -----------------------------------------------------------------------------------

def instrument_engine(engine: Any) -> None:
    """Spans for the statements of a service's engine (SQLAlchemy's maintained instrumentation),
    made only inside a recorded trace: a statement in a trace sampled out, or in none (the relay's
    and the probes' polls), would make a span nobody records, at the full price of one."""
    if _state["tracer"] is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    class RecordedStatements(EngineTracer):
        def _before_cur_exec(self, conn: Any, cursor: Any, statement: Any, params: Any, context: Any,
                             executemany: Any) -> tuple[Any, Any]:
            if not trace.get_current_span().is_recording():
                return statement, params
            made: tuple[Any, Any] = super()._before_cur_exec(  # type: ignore[no-untyped-call]
                conn, cursor, statement, params, context, executemany)
            return made

    usage = get_meter("servicekit").create_up_down_counter("db.client.connections.usage")
    sql_tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", tracer_provider=_state["provider"])
    RecordedStatements(sql_tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


@contextmanager
def statement_span(statement: str) -> Iterator[None]:
    """A span for a statement sent on the driver directly (`servicekit.driver`), named and
    described as the engine's instrumentation names its own, and only inside a recorded trace."""
    tracer_: Tracer | None = _state["tracer"]
    if tracer_ is None or not trace.get_current_span().is_recording():
        yield
        return
    name = statement.split(None, 1)[0].upper() if statement.strip() else "SQL"
    with tracer_.start_as_current_span(name, kind=SpanKind.CLIENT,
                                       attributes={"db.system": "postgresql", "db.statement": statement}):
        yield


# ---- Kafka --------------------------------------------------------------------------------------

class Publishing:
    """The relay's spans for one batch of outbox rows: each a child of the span its row was
    written in, and the parent of whatever consumes it (its context replaces the row's in the
    record's headers)."""

    def __init__(self) -> None:
        self.spans: list[Span | None] = []  # with tracing on, one per row: None outside a recorded trace

    def headers(self, topic: str, stored: Mapping[str, Any]) -> list[tuple[str, bytes]]:
        tracer_ = _state["tracer"]
        if tracer_ is None or not sampled(stored.get("traceparent")):
            if tracer_ is not None:
                self.spans.append(None)
            return [(k, str(v).encode()) for k, v in stored.items()]
        span = tracer_.start_span(f"{topic} publish", context=_context(stored.get("traceparent")),
                                  kind=SpanKind.PRODUCER, attributes=_messaging(topic, "publish"))
        self.spans.append(span)
        own = traceparent_of(span)
        return [(k, str(v).encode()) for k, v in stored.items() if k != "traceparent"] + \
            ([("traceparent", own.encode())] if own else [])

    def finish(self, results: Sequence[Any]) -> None:
        for span, result in zip(self.spans, results, strict=False):
            if span is None:
                continue
            if isinstance(result, BaseException):
                span.set_status(Status(StatusCode.ERROR, repr(result)))
            span.end()
        self.spans = []


class Consuming:
    """One batch of a consumer: its span is current while the batch applies (its database calls
    are its children) and links to one span per event, each in the trace its event came with. The
    batch is recorded when one of its events' traces is; events of traces not recorded get no span."""

    def __init__(self, consumer: str, traceparents: Sequence[str | None]) -> None:
        # An event that came without a context begins a trace here: recorded or not, as any.
        self.consumer, self._begun = consumer, set()
        if _state["tracer"] is not None and None in traceparents:
            self._begun = {i for i, parent in enumerate(traceparents) if parent is None}
            traceparents = [begin_trace() if parent is None else parent for parent in traceparents]
        self.traceparents: Sequence[str | None] = traceparents
        self.batch: Span | None = None
        self.events: list[Span] = []
        self._token: object | None = None

    def __enter__(self) -> Consuming:
        tracer_ = _state["tracer"]
        if tracer_ is not None and any(map(sampled, self.traceparents)):
            self.batch = tracer_.start_span(f"{self.consumer} process batch", kind=SpanKind.CONSUMER,
                                            context=otel_context.Context(), attributes={
                                                "messaging.system": "kafka",
                                                "messaging.batch.message_count": len(self.traceparents),
                                                "messaging.consumer.group.name": self.consumer})
            self._token = otel_context.attach(trace.set_span_in_context(self.batch))
        return self

    def event(self, index: int, topic: str, event_id: str, event_type: str) -> str | None:
        """The span of the batch's `index`-th event (in a recorded trace); returns the traceparent
        its follow-up events are written under."""
        traceparent = self.traceparents[index]
        tracer_ = _state["tracer"]
        if tracer_ is None or self.batch is None or not sampled(traceparent):
            return traceparent
        parent = otel_context.Context() if index in self._begun else _context(traceparent)
        span = tracer_.start_span(f"{topic} process", context=parent, kind=SpanKind.CONSUMER,
                                  links=[Link(self.batch.get_span_context())],
                                  attributes=_messaging(topic, "process") | {
                                      "messaging.message.id": event_id, "cloudevents.event_type": event_type,
                                      "messaging.consumer.group.name": self.consumer})
        self.batch.add_link(span.get_span_context())
        self.events.append(span)
        return traceparent_of(span)

    def failed(self, error: BaseException) -> None:
        for span in (self.batch, *self.events):
            if span is not None:
                span.set_status(Status(StatusCode.ERROR, repr(error)))

    def __exit__(self, kind: Any, error: BaseException | None, _tb: Any) -> None:
        if error is not None:
            self.failed(error)
        for span in self.events:
            span.end()
        if self._token is not None:
            otel_context.detach(self._token)  # type: ignore[arg-type]
        if self.batch is not None:
            self.batch.end()


@contextmanager
def processing(consumer: str, topic: str, event_id: str, event_type: str,
               traceparent: str | None) -> Iterator[str | None]:
    """One event applied on its own (the event-by-event path): its span is current throughout;
    yields the traceparent its follow-up events are written under."""
    tracer_ = _state["tracer"]
    begun = tracer_ is not None and traceparent is None  # a trace begins here: its span is the root
    if begun:
        traceparent = begin_trace()
    if tracer_ is None or not sampled(traceparent):
        yield traceparent
        return
    parent = otel_context.Context() if begun else _context(traceparent)
    with tracer_.start_as_current_span(f"{topic} process", context=parent, kind=SpanKind.CONSUMER,
                                       attributes=_messaging(topic, "process") | {
                                           "messaging.message.id": event_id, "cloudevents.event_type": event_type,
                                           "messaging.consumer.group.name": consumer}) as span:
        yield traceparent_of(span)


def _messaging(topic: str, operation: str) -> dict[str, Any]:
    return {"messaging.system": "kafka", "messaging.destination.name": topic, "messaging.operation.type": operation}
