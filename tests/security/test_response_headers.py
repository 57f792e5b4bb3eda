"""Answers are safe to receive: never sniffed into another type, and nothing personal is cached."""

from __future__ import annotations

from landgrade.testing import token
from tests.foundation.test_http_plumbing import _app, _client


async def test_every_answer_forbids_content_sniffing() -> None:
    async with _client(_app()) as c:
        for response in (await c.get("/public"), await c.post("/things", json={}),
                         await c.get("/no-such-route")):
            assert response.headers["x-content-type-options"] == "nosniff"


async def test_answers_to_a_signed_in_caller_are_not_stored_by_caches() -> None:
    async with _client(_app()) as c:
        signed_in = await c.post("/things", json={"name": "x", "amount": 1}, headers=token("things:write"))
        public = await c.get("/public")
    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"] == "no-store"
    assert "cache-control" not in public.headers


async def test_the_api_pages_load_nothing_from_outside_the_service() -> None:
    import re

    async with _client(_app()) as c:
        for page in ("/docs", "/redoc"):
            answer = await c.get(page)
            assert answer.status_code == 200
            assert b"'self'" in answer.headers["content-security-policy"].encode()
            sources = re.findall(r'(?:src|href)="([^"]+)"', answer.text)
            assert sources and all(src.startswith("/") for src in sources), sources  # no CDN
            for src in sources:
                if src.endswith((".js", ".css")):
                    assert (await c.get(src)).status_code == 200, src  # served by the service itself


async def test_a_refusal_naming_a_lone_surrogate_is_itself_answered() -> None:
    from servicekit.problems import Problem

    body = Problem(422, "Invalid request", errors=[{"field": "name\ud800", "message": "bad \udfff"}]).body()
    assert body["errors"][0] == {"field": "name\ufffd", "message": "bad \ufffd"}  # writable as UTF-8
