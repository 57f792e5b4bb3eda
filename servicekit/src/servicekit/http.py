"""The FastAPI application every service starts from: problems, guards, request ids, metrics,
`/healthz`, `/readyz` and `/metrics`. Routers are the service's own."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST

from servicekit.auth import TokenVerifier
from servicekit.guards import BodyGuard
from servicekit.ids import new_id
from servicekit.logging import get_logger
from servicekit.openapi_problems import document_problems
from servicekit.problems import ProblemMap, install_problem_handlers
from servicekit.runtime import ServiceRuntime
from servicekit.settings import DEVELOPMENT_ENVIRONMENTS
from servicekit.telemetry import http_middleware, name_request_span, span_traceparent
from servicekit.tracing import child_traceparent, current_traceparent, trace_id


def create_app(runtime: ServiceRuntime, routers: list[APIRouter], *, title: str, description: str,
               version: str = "1.0.0", run_background: bool = True,
               context: Any = None, problems: ProblemMap | None = None,
               hot_paths: list[tuple[Any, dict[str, Any]]] | None = None) -> FastAPI:
    """`context`: what the service's routes need (read with `app_context`); `problems`: the
    service's exceptions and their problem answers; `hot_paths`: ASGI middleware (class, keyword
    arguments) run inside the guards, before the framework's routing: answers to the most frequent
    requests that need none of it."""
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_background:
            await runtime.start()
        try:
            yield
        finally:
            if run_background:
                await runtime.stop()

    # The API's own pages (/docs, /redoc) load their scripts from the service itself: they work on
    # a network without internet, and DOCS_POLICY lets them load nothing from anywhere else.
    app = FastAPIOffline(title=title, description=description, version=version, lifespan=lifespan,
                         static_url=DOCS_ASSETS)
    app.state.runtime = runtime
    app.state.context = context
    app.state.token_verifier = TokenVerifier(runtime.settings)
    install_problem_handlers(app, problems)
    for middleware, options in hot_paths or []:
        app.add_middleware(middleware, **options)
    app.add_middleware(BodyGuard, max_body_bytes=runtime.settings.max_body_bytes)
    app.add_middleware(RequestObserver, runtime=runtime)  # outermost: refused bodies are counted too
    if (traced := http_middleware()) is not None:  # the request's span encloses everything else
        app.add_middleware(traced[0], **traced[1])
    app.include_router(_operations_router(runtime))
    for router in routers:
        app.include_router(router)
    document_problems(app)
    return app


DOCS_ASSETS = "/docs-assets"
DOCS_PAGES = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
# Swagger UI and ReDoc start from an inline script and ReDoc runs a worker from a blob.
DOCS_POLICY = (b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               b"img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'")


def app_context(request: Request) -> Any:
    """The service's context, as given to `create_app`: each service names it once, typed, as
    `Ctx = Annotated[TheContext, Depends(app_context)]` in `entrypoints/http/deps.py`."""
    return request.app.state.context


@dataclass(frozen=True)
class HotRoute:
    """The route a hot path answers for, as the request observer labels metrics and logs."""

    path: str

    async def answer(self, scope: dict[str, Any], send: Any, status: int, body: bytes) -> None:
        """A JSON answer from a hot path, labelled with the route it stands in for."""
        scope["route"] = self
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


class RequestObserver:
    """Request id, trace context, metrics and one log line per request, as plain ASGI: the
    `call_next` style of middleware streams every response through an extra task and queue,
    which costs more than many of the handlers behind it."""

    QUIET = frozenset({"/healthz", "/readyz", "/metrics"})

    def __init__(self, app: Any, runtime: ServiceRuntime) -> None:
        self.app, self.metrics, self.log = app, runtime.metrics, get_logger("http")
        self.every_request = runtime.settings.access_log == "all"
        self.slow_seconds = runtime.settings.access_log_slow_ms / 1000

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1") or new_id()
        # The request's span's context; or, outside a recorded trace, the one tracing gave it.
        traceparent = (span_traceparent() or scope.get("traceparent")
                       or child_traceparent(headers.get(b"traceparent", b"").decode("latin-1") or None))
        structlog.contextvars.bind_contextvars(request_id=request_id, trace_id=trace_id(traceparent))
        token = current_traceparent.set(traceparent)
        started, status = time.perf_counter(), 500
        stamp = [(b"x-request-id", request_id.encode("latin-1")), (b"traceparent", traceparent.encode()),
                 (b"x-content-type-options", b"nosniff")]
        signed_in = b"authorization" in headers
        if scope["path"] in DOCS_PAGES:
            stamp.append((b"content-security-policy", DOCS_POLICY))

        async def stamped(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Before the answer goes out: the request's span ends with its last byte.
                name_request_span(scope["method"], getattr(scope.get("route"), "path", "unmatched"))
                own = message.get("headers", [])
                message["headers"] = [*own, *stamp, *_no_store(own, signed_in)]
            await send(message)

        try:
            await self.app(scope, receive, stamped)
        finally:
            current_traceparent.reset(token)
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            if self._worth_a_line(scope["method"], route, status, elapsed):
                self.log.info("request", method=scope["method"], route=route, status=status,
                              ms=round(elapsed * 1000, 1))
            structlog.contextvars.unbind_contextvars("request_id", "trace_id")


    def _worth_a_line(self, method: str, route: str, status: int, elapsed: float) -> bool:
        """A line per change, failure or slow request; successful reads only when asked: at
        thousands of reads a second the line costs more than the read (they are in /metrics)."""
        if route in self.QUIET:
            return False
        return self.every_request or method not in ("GET", "HEAD") or status >= 400 or elapsed >= self.slow_seconds


def _no_store(headers: list[tuple[bytes, bytes]], signed_in: bool) -> list[tuple[bytes, bytes]]:
    """An answer to a signed-in caller may hold personal data: no cache keeps it unless its route
    says otherwise. Public answers set their own `Cache-Control`."""
    if not signed_in or any(name.lower() == b"cache-control" for name, _ in headers):
        return []
    return [(b"cache-control", b"no-store")]


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

    # Scraped on the metrics port (servicekit.metrics_server); the API's own port answers it only
    # in development and test, where nothing is published.
    if runtime.settings.environment in DEVELOPMENT_ENVIRONMENTS:
        @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
        async def metrics() -> Response:
            return Response(await runtime.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return router
