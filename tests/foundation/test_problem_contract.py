"""Regressions found by the reliability suite: NUL bytes behind other spellings of JSON, and error
responses the OpenAPI documents described as FastAPI's own `application/json` body."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from landgrade.testing import token
from servicekit.auth import Principal, require
from servicekit.db import Database
from servicekit.http import create_app
from servicekit.metrics import Metrics
from servicekit.problems import Problem
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from tests.foundation.test_http_plumbing import _client


class Body(BaseModel):
    name: str


def _app():  # type: ignore[no-untyped-def]
    settings = ServiceSettings(database_url="postgresql+asyncpg://x@127.0.0.1:1/x")
    runtime = ServiceRuntime(settings, Database.connect(settings.database_url), Metrics())
    router = APIRouter()

    @router.post("/things")
    async def create(body: Body, principal: Principal = require("things:write")) -> dict[str, str]:
        return {"name": body.name}

    @router.get("/subjects/{ref}")
    async def subject(ref: str) -> dict[str, str]:
        raise Problem(404, "Unknown subject", f"No file for {ref}.", errors=[{"field": "ref", "message": ref}])

    @router.post("/uploads")
    async def upload(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return create_app(runtime, [router], title="t", description="t", run_background=False)


async def test_nul_bytes_are_refused_whatever_the_json_media_type_is_called() -> None:
    body = b'{"name": "a\\u0000b"}'
    async with _client(_app()) as c:
        for content_type in ("Application/JSON", "application/merge-patch+json", " APPLICATION/JSON; charset=utf-8"):
            response = await c.post("/things", content=body, headers=token("things:write") | {
                "content-type": content_type})
            assert response.status_code == 400, (content_type, response.text)
        bare = await c.post("/things", content=body, headers=token("things:write"))  # no content type: read as JSON
        assert bare.status_code == 400
        # A raw upload without a content type may hold NUL bytes (an XLSX does): it is not refused.
        raw = await c.post("/uploads", content=b"PK\x03\x04\x00\x00binary")
        assert raw.status_code == 200 and raw.json() == {"bytes": 12}


def test_every_error_response_is_documented_as_a_problem() -> None:
    document = _app().openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    responses = document["paths"]["/things"]["post"]["responses"]
    assert {"400", "401", "403", "413", "422", "4XX"} <= set(responses)
    for status, response in responses.items():
        if status[0] == "4":
            assert response["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    public = document["paths"]["/uploads"]["post"]["responses"]
    assert "401" not in public and "403" not in public  # a public route has no auth errors
    assert document["paths"]["/readyz"]["get"]["responses"]["503"]["content"].keys() == {"application/json"}


async def test_a_problem_never_echoes_an_id_number() -> None:
    async with _client(_app()) as c:
        response = await c.get("/subjects/11010519491231002X")
    assert response.status_code == 404
    assert "11010519491231002X" not in response.text
    assert response.json()["instance"] == "/subjects/110105********002X"
