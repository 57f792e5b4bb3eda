"""ASGI guard: refuses oversize bodies (413) and NUL bytes (400) before any handler sees them.

Binary uploads (multipart, images, PDF) may legitimately hold NUL bytes and are only size-checked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

import orjson

from servicekit.problems import MEDIA_TYPE, Problem, Text, language

_TEXT_TYPES = (b"application/json", b"application/x-ndjson", b"application/ndjson", b"text/")
_JSON_NUL = b"\\u0000"


def _text_kind(content_type: bytes) -> str | None:
    """"text" for bodies a handler reads as text; "sniff" for a body without a content type, which
    FastAPI parses as JSON when a route takes JSON (and which may be a raw upload otherwise).
    Media types are case-insensitive, and FastAPI parses any `+json` type as JSON."""
    media = content_type.split(b";", 1)[0].strip().lower()
    if not media:
        return "sniff"
    return "text" if media.startswith(_TEXT_TYPES) or media.endswith(b"+json") else None


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
            await _reply(send, scope, Problem(
                400, Text("网址含有空字符", "NUL byte in URL"),
                Text("网址中含有空字符（NUL）。", "The URL contains a NUL byte.")))
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _reply(send, scope, _too_large(self.max_body_bytes))
            return
        kind = _text_kind(headers.get(b"content-type", b""))
        if kind is not None:
            # Text bodies are read in full first (bounded by the size limit) so that a NUL byte
            # anywhere is refused before the handler writes anything.
            body, refused = await _read_text_body(receive, self.max_body_bytes, sniff=kind == "sniff")
            if refused is not None:
                await _reply(send, scope, refused)
                return
            await self.app(scope, _replay(body, receive), send)
            return
        seen = 0

        async def counted_receive() -> dict[str, Any]:
            nonlocal seen
            message: dict[str, Any] = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body_bytes:
                raise _Refused(_too_large(self.max_body_bytes))
            return message

        try:
            await self.app(scope, counted_receive, send)
        except _Refused as refused:
            await _reply(send, scope, refused.problem)


async def _read_text_body(receive: Any, limit: int, sniff: bool = False) -> tuple[bytes, Problem | None]:
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", _too_large(limit)
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if sniff and body.lstrip()[:1] not in (b"{", b"[", b'"'):
        return body, None  # not JSON: a raw upload, which may hold NUL bytes
    if b"\x00" in body or _JSON_NUL in body:
        return b"", Problem(
            400, Text("请求内容含有空字符", "NUL byte in body"),
            Text("请求内容含有空字符（NUL），任何字段都不接受。",
                 "The request body contains a NUL byte, which no field accepts."))
    return body, None


def _replay(body: bytes, original: Any) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return dict(await original())  # only a real disconnect comes after the body
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _too_large(limit: int) -> Problem:
    return Problem(413, Text("请求内容过大", "Body too large"),
                   Text(f"请求内容超过 {limit} 字节。", f"The request body exceeds {limit} bytes."))


async def _reply(send: Any, scope: dict[str, Any], problem: Problem) -> None:
    accept = next((v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"accept-language"), None)
    chosen = language(accept)
    body = orjson.dumps(problem.body(scope.get("path"), chosen))
    await send({"type": "http.response.start", "status": problem.status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode()),
                            (b"content-language", chosen.encode()), (b"vary", b"Accept-Language")]})
    await send({"type": "http.response.body", "body": body})
