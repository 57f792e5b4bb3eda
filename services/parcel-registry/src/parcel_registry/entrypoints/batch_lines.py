"""Parsing a batch of filings line by line, and counting what became of each line.

NDJSON is read as it streams in; a JSON array is parsed whole. Numbers are read as decimals, not
floats, so no amount is rounded on the way in. A line that cannot become a filing is rejected
with its reason and the rest of the batch goes on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
        items = json.loads(await request.body(), parse_float=Decimal)
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


def _parse(raw: bytes) -> RevenueFiling | str:
    try:
        item = json.loads(raw, parse_float=Decimal)
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
