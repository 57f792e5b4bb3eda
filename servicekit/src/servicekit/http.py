"""The FastAPI application every service starts from: problems, guards, request ids, metrics,
`/healthz`, `/readyz` and `/metrics`. Routers are the service's own."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from servicekit.auth import TokenVerifier
from servicekit.guards import BodyGuard
from servicekit.logging import get_logger
from servicekit.openapi_problems import document_problems
from servicekit.problems import install_problem_handlers
from servicekit.runtime import ServiceRuntime
from servicekit.tracing import current_traceparent, new_traceparent, trace_id


def create_app(runtime: ServiceRuntime, routers: list[APIRouter], *, title: str, description: str,
               version: str = "1.0.0", run_background: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_background:
            await runtime.start()
        try:
            yield
        finally:
            if run_background:
                await runtime.stop()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(runtime.settings)
    install_problem_handlers(app)
    app.middleware("http")(_observe(runtime))
    app.add_middleware(BodyGuard, max_body_bytes=runtime.settings.max_body_bytes)
    app.include_router(_operations_router(runtime))
    for router in routers:
        app.include_router(router)
    document_problems(app)
    return app


def _observe(runtime: ServiceRuntime) -> Callable[[Request, Callable[[Request], Awaitable[Response]]],
                                                   Awaitable[Response]]:
    log = get_logger("http")
    metrics = runtime.metrics

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        traceparent = new_traceparent(request.headers.get("traceparent"))
        structlog.contextvars.bind_contextvars(request_id=request_id, trace_id=trace_id(traceparent))
        token = current_traceparent.set(traceparent)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            current_traceparent.reset(token)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        elapsed = time.perf_counter() - started
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(elapsed)
        response.headers["x-request-id"] = request_id
        response.headers["traceparent"] = traceparent
        if route not in ("/healthz", "/readyz", "/metrics"):
            log.info("request", method=request.method, route=route, status=response.status_code,
                     ms=round(elapsed * 1000, 1))
        structlog.contextvars.unbind_contextvars("request_id", "trace_id")
        return response

    return middleware


def _operations_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Alive")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @router.get("/readyz", summary="Database and Kafka reachable, consumers making progress",
                responses={503: {"description": "not ready", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"status": {"type": "string"},
                                                     "checks": {"type": "object"}}}}}}})
    async def readyz() -> Any:
        checks = await runtime.readiness()
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
