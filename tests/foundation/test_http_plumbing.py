"""Auth, problem responses and request guards of the shared HTTP plumbing."""

from __future__ import annotations

import asyncio

import httpx
import structlog
import structlog.testing
from fastapi import APIRouter
from prometheus_client import generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text

from landgrade.testing import token
from servicekit.auth import Principal, require, require_jurisdiction
from servicekit.db import Database
from servicekit.http import create_app
from servicekit.metrics import Metrics
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings


class Body(BaseModel):
    name: str = Field(min_length=1)
    amount: int = Field(ge=0)


def _app(max_body: int = 10_000):  # type: ignore[no-untyped-def]
    settings = ServiceSettings(max_body_bytes=max_body, database_url="postgresql+asyncpg://x@127.0.0.1:1/x")
    runtime = ServiceRuntime(settings, Database.connect(settings.database_url), Metrics())
    router = APIRouter()

    @router.post("/things")
    async def create(body: Body, principal: Principal = require("things:write")) -> dict[str, str]:
        return {"by": principal.subject}

    @router.post("/streets/{street}/things")
    async def create_local(street: str, principal: Principal = require("findings:write")) -> dict[str, str]:
        require_jurisdiction(principal, street)
        return {"street": street}

    @router.get("/public")
    async def public() -> dict[str, str]:
        return {"ok": "yes"}

    @router.post("/needs-database")
    async def needs_database() -> dict[str, int]:
        async with runtime.db.transaction() as session:  # the configured server is not listening
            return {"one": int(await session.scalar(text("SELECT 1")))}

    return create_app(runtime, [router], title="t", description="t", run_background=False)


def _client(app, raise_app_exceptions: bool = True):  # type: ignore[no-untyped-def]
    # Like a server, the error handler answers and then re-raises for the server's log: the
    # answer is what a caller sees, so some tests take it instead of the re-raised error.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_tokens_missing_expired_wrong_scope_wrong_jurisdiction() -> None:
    async with _client(_app()) as c:
        body = {"name": "x", "amount": 1}
        missing = await c.post("/things", json=body)
        assert missing.status_code == 401
        assert missing.headers["content-type"] == "application/problem+json"
        assert (await c.post("/things", json=body, headers=token("things:write", ttl=-10))).status_code == 401
        forged = token("things:write", secret="not-the-configured-secret-of-this-deployment")
        assert (await c.post("/things", json=body, headers=forged)).status_code == 401
        assert (await c.post("/things", json=body, headers=token("grades:read"))).status_code == 403
        ok = await c.post("/things", json=body, headers=token("things:write", subject="tax-system"))
        assert ok.status_code == 200 and ok.json() == {"by": "tax-system"}
        assert (await c.post("/things", json=body, headers=token("admin"))).status_code == 200

        ronghua = token("findings:write", jurisdiction="荣华街道")
        assert (await c.post("/streets/荣华街道/things", headers=ronghua)).status_code == 200
        other = await c.post("/streets/博兴街道/things", headers=ronghua)
        assert other.status_code == 403 and "荣华街道" in other.json()["detail"]
        unbound = await c.post("/streets/博兴街道/things", headers=token("findings:write"))
        assert unbound.status_code == 403
        assert (await c.get("/public")).status_code == 200


async def test_a_remembered_token_still_expires_on_time() -> None:
    """Verified tokens are remembered (no signature check per request), never past their expiry."""
    async with _client(_app()) as c:
        body, short = {"name": "x", "amount": 1}, token("things:write", ttl=2)
        assert (await c.post("/things", json=body, headers=short)).status_code == 200
        assert (await c.post("/things", json=body, headers=short)).status_code == 200  # remembered
        await asyncio.sleep(2.1)
        expired = await c.post("/things", json=body, headers=short)
        assert expired.status_code == 401 and expired.json()["title"] == "Token expired"
        one_off = dict(short)
        one_off["Authorization"] = short["Authorization"][:-2] + ("AA" if not short["Authorization"].endswith("AA")
                                                                  else "BB")
        assert (await c.post("/things", json=body, headers=one_off)).status_code == 401  # not the remembered one


async def test_a_request_while_the_database_is_down_gets_503_with_retry_after() -> None:
    async with _client(_app(), raise_app_exceptions=False) as c:
        response = await c.post("/needs-database")
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "服务暂不可用"


async def test_changes_and_failures_are_logged_and_successful_reads_only_counted() -> None:
    app = _app()
    with structlog.testing.capture_logs() as logs:
        async with _client(app) as c:
            await c.get("/public")
            await c.post("/things", json={"name": "x", "amount": 1}, headers=token("things:write"))
            await c.get("/missing")
    lines = [(e["method"], e["route"], e["status"]) for e in logs if e["event"] == "request"]
    assert lines == [("POST", "/things", 200), ("GET", "unmatched", 404)]
    metrics = generate_latest(app.state.runtime.metrics.registry).decode()
    assert 'route="/public"' in metrics  # the read is counted all the same


async def test_validation_errors_name_each_field() -> None:
    async with _client(_app()) as c:
        r = await c.post("/things", json={"name": "", "amount": -1}, headers=token("things:write"))
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        assert {e["field"] for e in r.json()["errors"]} == {"name", "amount"}


async def test_nul_bytes_and_oversize_bodies_are_refused() -> None:
    async with _client(_app(max_body=200)) as c:
        auth = token("things:write")
        nul = await c.post("/things", content=b'{"name": "a\\u0000b", "amount": 1}', headers=auth | {
            "content-type": "application/json"})
        assert nul.status_code == 400 and nul.json()["title"] == "请求内容含有空字符"
        raw = await c.post("/things", content=b'{"name": "a\x00b", "amount": 1}', headers=auth | {
            "content-type": "application/json"})
        assert raw.status_code == 400
        assert (await c.get("/public?x=%00")).status_code == 400
        big = await c.post("/things", json={"name": "x" * 500, "amount": 1}, headers=auth)
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"


async def test_health_metrics_and_request_ids() -> None:
    async with _client(_app()) as c:
        r = await c.get("/healthz", headers={"x-request-id": "req-1"})
        assert r.json() == {"status": "alive"} and r.headers["x-request-id"] == "req-1"
        assert r.headers["traceparent"].startswith("00-")
        await c.get("/public")
        metrics = (await c.get("/metrics")).text
        assert 'http_requests_total{method="GET",route="/public",status="200"} 1.0' in metrics
        ready = await c.get("/readyz")  # the database of this app does not exist
        assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("unreachable")
