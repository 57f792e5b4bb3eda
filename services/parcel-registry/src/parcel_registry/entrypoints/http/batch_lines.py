"""Reading a batch of filings line by line as the request streams in.

NDJSON is read as it streams in; a JSON array is parsed whole. Numbers are read as decimals, not
floats, so no amount is rounded on the way in. Each line is read by the intake's own parser
(`service_layer/intake.py`); a line that cannot become a filing carries its reason instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from fastapi import Request

from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.service_layer.intake import loads, to_filing
from servicekit.problems import Problem, Text

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/jsonlines")


T = TypeVar("T")


async def read_lines(request: Request) -> AsyncIterator[tuple[int, RevenueFiling | str]]:
    async for item in read_items(request, to_filing, "filings"):
        yield item


def _parsed(raw: bytes, convert: Callable[[Any], T | str]) -> T | str:
    try:
        item = loads(raw)
    except ValueError as bad:
        return f"not valid JSON: {bad}"
    return convert(item)


async def read_items(
    request: Request, convert: Callable[[Any], T | str], what: str
) -> AsyncIterator[tuple[int, T | str]]:
    """Each line of a JSON array or NDJSON batch, numbered from 1, as `convert` reads it (or why
    it cannot)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not kind and not await request.body():
        return  # the body is optional in the contract: no body is a batch of no lines
    if kind in NDJSON_TYPES:
        number, pending = 0, b""
        async for piece in request.stream():
            pending += piece
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                number += 1
                if raw.strip():
                    yield number, _parsed(raw, convert)
        if pending.strip():
            yield number + 1, _parsed(pending, convert)
        return
    if kind != "application/json":
        raise Problem(415, Text("不支持的内容类型", "Unsupported media type"),
                      Text("请以 application/json（数组）或 application/x-ndjson 发送。",
                           "Send application/json (an array) or application/x-ndjson."))
    try:
        items = loads(await request.body())
    except ValueError as bad:
        raise Problem(400, Text("JSON 格式错误", "Malformed JSON"),
                      Text(f"请求内容不是有效的 JSON：{bad}。", f"The body is not valid JSON: {bad}.")) from None
    if not isinstance(items, list):
        raise Problem(
            422,
            Text("应为数组", "Not an array"),
            Text("JSON 批量数据应为数组。", f"A JSON batch is an array of {what}."),
            errors=[{"field": "body", "in": "body", "message": Text("应为数组", "must be an array")}],
        )
    for number, item in enumerate(items, start=1):
        yield number, convert(item)
