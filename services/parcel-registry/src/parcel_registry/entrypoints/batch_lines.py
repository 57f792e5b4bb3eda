"""Parsing a batch of filings line by line, and counting what became of each line.

NDJSON is read as it streams in; a JSON array is parsed whole. Numbers are read as decimals, not
floats, so no amount is rounded on the way in. A line that cannot become a filing is rejected
with its reason and the rest of the batch goes on.

Lines are parsed by orjson, several times faster than the json module; a line it cannot read, or
whose values it would read differently (a number with a fraction or an exponent, or an integer
too large, which orjson makes a binary float; a nested value), is parsed again the json module's
way, so every line gets the same filing or the same message as before.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Request
from pydantic import TypeAdapter, ValidationError

from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.filings import Outcome, RevenueFiling
from parcel_registry.entrypoints.requests import FilingIn
from parcel_registry.service_layer.filings import LineResult
from servicekit.problems import Problem

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/jsonlines")
_FILING = TypeAdapter(FilingIn)


def to_filing(item: Any) -> RevenueFiling | str:
    if not isinstance(item, dict):
        return "a filing must be a JSON object"
    try:
        return _FILING.validate_python(item).to_domain()
    except ValidationError as bad:
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'filing'}: {e['msg']}" for e in bad.errors())
    except DomainValidationError as bad:
        return str(bad)


async def read_lines(request: Request) -> AsyncIterator[tuple[int, RevenueFiling | str]]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in NDJSON_TYPES:
        number, pending = 0, b""
        async for piece in request.stream():
            pending += piece
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                number += 1
                if raw.strip():
                    yield number, _parse(raw)
        if pending.strip():
            yield number + 1, _parse(pending)
        return
    if kind != "application/json":
        raise Problem(415, "Unsupported media type", "Send application/json (an array) or application/x-ndjson.")
    try:
        items = _loads(await request.body())
    except ValueError as bad:
        raise Problem(400, "Malformed JSON", f"The body is not valid JSON: {bad}.") from None
    if not isinstance(items, list):
        raise Problem(
            422,
            "Not an array",
            "A JSON batch is an array of filings.",
            errors=[{"field": "body", "in": "body", "message": "must be an array"}],
        )
    for number, item in enumerate(items, start=1):
        yield number, to_filing(item)


_PLAIN = (str, int, type(None))  # values both parsers read alike (a bool is an int)


def _plain(item: Any) -> bool:
    if isinstance(item, dict):
        return all(isinstance(v, _PLAIN) for v in item.values())
    return not isinstance(item, float)  # any other non-object is refused alike, whatever it holds


def _loads(raw: bytes) -> Any:
    """What ``json.loads(raw, parse_float=Decimal)`` gives, by orjson where the two agree."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        value = float("nan")  # not plain: the json module reads it, or says why it cannot
    if all(_plain(item) for item in (value if isinstance(value, list) else [value])):
        return value
    return json.loads(raw, parse_float=Decimal)


def _parse(raw: bytes) -> RevenueFiling | str:
    try:
        item = _loads(raw)
    except ValueError as bad:
        return f"not valid JSON: {bad}"
    return to_filing(item)


@dataclass
class BatchTally:
    counts: dict[str, int] = field(default_factory=lambda: {"accepted": 0, "revised": 0, "duplicate": 0, "rejected": 0})
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, filing_id: str | None, reason: str, kind: str = "invalid") -> None:
        self.counts["rejected"] += 1
        self.errors.append({"line": line, "filing_id": filing_id, "kind": kind, "reason": reason})

    def add(self, results: list[LineResult]) -> None:
        for r in results:
            if r.outcome is None:
                self.reject(r.line, r.filing.filing_id, r.reason, "unknown_parcel")
            elif r.outcome is Outcome.CONFLICT:
                self.reject(r.line, r.filing.filing_id, r.reason, "conflict")
            elif r.outcome is Outcome.REVISED:
                self.counts["accepted"] += 1
                self.counts["revised"] += 1
            else:
                self.counts[r.outcome.value] += 1

    def report(self) -> dict[str, Any]:
        received = self.counts["accepted"] + self.counts["duplicate"] + self.counts["rejected"]
        return {"received": received, **self.counts, "errors": sorted(self.errors, key=lambda e: e["line"])}
