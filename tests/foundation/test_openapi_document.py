"""What a client generator reads: where the API is served, under what licence, and for every
operation whether a token is needed; and what an OPTIONS probe learns."""

from __future__ import annotations

import re

from fastapi import FastAPI
from pydantic import BaseModel, Field

from servicekit.openapi_problems import NO_NUL, document_problems
from tests.foundation.test_http_plumbing import _app, _client


class Body(BaseModel):
    note: str
    code: str = Field(pattern="^[A-Z]{3}$")
    on: str = Field(json_schema_extra={"format": "date"})


def test_the_document_names_servers_license_and_security_on_every_operation() -> None:
    document = _app().openapi()
    assert document["servers"] and document["servers"][0]["url"] == "/"
    assert document["info"]["license"]["name"]
    operations = {(path, method): op for path, ops in document["paths"].items() for method, op in ops.items()}
    assert all("security" in op for op in operations.values()), [k for k, op in operations.items()
                                                                   if "security" not in op]
    assert operations[("/healthz", "get")]["security"] == []
    assert operations[("/public", "get")]["security"] == []
    assert operations[("/things", "post")]["security"] == [{"HTTPBearer": []}]


async def test_options_answers_which_methods_a_path_allows() -> None:
    async with _client(_app()) as c:
        answer = await c.options("/things")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_free_text_says_it_takes_no_nul_and_stated_patterns_and_formats_are_kept() -> None:
    """Every service refuses a NUL anywhere in a request (400); the document says so, so that a
    generated client refuses it first instead of learning it from the service."""
    app = FastAPI()
    document_problems(app)

    @app.post("/notes")
    async def post(body: Body, tag: str | None = None) -> None: ...

    document = app.openapi()
    props = document["components"]["schemas"]["Body"]["properties"]
    assert props["note"]["pattern"] == NO_NUL and props["code"]["pattern"] == "^[A-Z]{3}$"
    assert "pattern" not in props["on"]
    (tag,) = document["paths"]["/notes"]["post"]["parameters"]
    assert tag["schema"]["anyOf"][0]["pattern"] == NO_NUL
    assert re.match(NO_NUL, "二层整层出租\n东侧") and not re.match(NO_NUL, "a\x00b")
