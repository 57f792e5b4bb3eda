"""Request spans, in-process with an in-memory exporter: named after the route template (a
span name per parcel id would make every request a name of its own), children carrying the
request's trace into the events it writes; and with tracing off, no span at all."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from servicekit import telemetry
from servicekit.db import Database
from servicekit.http import create_app
from servicekit.metrics import Metrics
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.tracing import current_traceparent, new_traceparent, trace_id

seen: list[str | None] = []


def _app() -> object:
    router = APIRouter()

    @router.get("/parcels/{parcel_id}")
    async def parcel(parcel_id: str) -> dict[str, str]:
        seen.append(current_traceparent.get())
        return {"parcel_id": parcel_id}

    settings = ServiceSettings(environment="test")
    runtime = ServiceRuntime(settings, Database.connect(settings.database_url), Metrics())
    return create_app(runtime, [router], title="t", description="t", run_background=False)


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry.use_provider(provider)
    try:
        yield exporter
    finally:
        telemetry.use_provider(None)


async def _get(app: object, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:  # type: ignore[arg-type]
        return await client.get(path, headers=headers)


async def test_a_request_span_is_named_after_its_route_and_continues_the_callers_trace(exported) -> None:  # type: ignore[no-untyped-def]
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    seen.clear()
    answer = await _get(_app(), "/parcels/YZ-2018-0023", {"traceparent": caller})
    [span] = exported.get_finished_spans()
    assert span.name == "GET /parcels/{parcel_id}" and span.attributes["http.route"] == "/parcels/{parcel_id}"
    assert f"{span.context.trace_id:032x}" == trace_id(caller) and f"{span.parent.span_id:016x}" == "b7ad6b7169203331"
    # The handler (and the events it writes) run under this very span, and the answer names it.
    own = f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-01"
    assert seen == [own] and answer.headers["traceparent"] == own
    assert new_traceparent(own) == own  # an event written here is published as this span's child
    assert (await _get(_app(), "/healthz")).status_code == 200
    assert len(exported.get_finished_spans()) == 1  # probes make no spans


async def test_with_tracing_off_no_span_is_made_and_traceparents_are_still_carried() -> None:
    assert telemetry.tracer() is None and telemetry.http_middleware() is None
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    seen.clear()
    answer = await _get(_app(), "/parcels/YZ-2018-0023", {"traceparent": caller})
    assert trace_id(answer.headers["traceparent"]) == trace_id(caller)
    assert answer.headers["traceparent"] != caller and seen == [answer.headers["traceparent"]]
