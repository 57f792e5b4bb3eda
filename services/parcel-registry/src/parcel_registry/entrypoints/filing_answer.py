"""The answer to one revenue filing, shared by the route and the intake before routing."""

from __future__ import annotations

from typing import Any

import orjson

from parcel_registry.domain.filings import Outcome, RevenueFiling
from parcel_registry.entrypoints.views import attribution_view, filing_view
from parcel_registry.service_layer.filings import LineResult


def filing_answer(result: LineResult, filing: RevenueFiling) -> tuple[int, bytes] | None:
    """Status and JSON body for an accepted, revised or already recorded filing; None when the
    ledger rejected it (the route answers those with a problem)."""
    if result.outcome is None or result.outcome is Outcome.CONFLICT:
        return None
    body: dict[str, Any] = {"status": result.outcome.value, "filing": filing_view(filing)}
    if result.attribution is not None:
        body["attribution"] = attribution_view(result.attribution)
    # Plain JSON values already: straight to bytes, without the generic encoder's walk.
    return (200 if result.outcome is Outcome.DUPLICATE else 201), orjson.dumps(body)
