"""ASGI guard: refuses oversize bodies (413) and NUL bytes (400) before any handler sees them.

The body is inspected as it streams through `receive`, so streaming endpoints keep streaming.
Binary uploads (multipart, images, PDF) may legitimately hold NUL bytes and are only size-checked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

import orjson

from servicekit.problems import MEDIA_TYPE, Problem

_TEXT_TYPES = (b"application/json", b"application/x-ndjson", b"application/ndjson", b"text/")
_JSON_NUL = b"\\u0000"


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class BodyGuard:
    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_target = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if b"\x00" in unquote_to_bytes(raw_target):
            await _reply(send, scope, Problem(400, "NUL byte in URL", "The URL contains a NUL byte."))
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _reply(send, scope, _too_large(self.max_body_bytes))
            return
        check_nul = headers.get(b"content-type", b"").startswith(_TEXT_TYPES)
        seen, tail, started = 0, b"", False

        async def guarded_receive() -> dict[str, Any]:
            nonlocal seen, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > self.max_body_bytes:
                    raise _Refused(_too_large(self.max_body_bytes))
                window = tail + chunk
                if check_nul and (b"\x00" in window or _JSON_NUL in window):
                    raise _Refused(Problem(400, "NUL byte in body",
                                           "The request body contains a NUL byte, which no field accepts."))
                tail = window[-(len(_JSON_NUL) - 1):]
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except _Refused as refused:
            if not started:
                await _reply(send, scope, refused.problem)


def _too_large(limit: int) -> Problem:
    return Problem(413, "Body too large", f"The request body exceeds {limit} bytes.")


async def _reply(send: Any, scope: dict[str, Any], problem: Problem) -> None:
    body = orjson.dumps(problem.body(scope.get("path")))
    await send({"type": "http.response.start", "status": problem.status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
