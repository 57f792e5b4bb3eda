"""One filing is one trace: the tax system's POST to the registry, the registry's publish, the
evaluation's processing and its grade event, and the credit ledger's processing, parent to child
across both Kafka hops. Each service a process of its own, exporting to a file."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest

from landgrade.testing import eventually
from tests.e2e.outside import Outside, auth, new_person, new_uscc
from tests.observability.conftest import TracedStack

pytestmark = pytest.mark.e2e


def _spans(stack: TracedStack) -> list[dict[str, Any]]:
    if not stack.spans.exists():
        return []
    return [orjson.loads(line) for line in stack.spans.read_bytes().splitlines() if line]


async def test_one_filing_is_one_trace_from_the_post_to_the_credit_ledger(traced_stack: TracedStack) -> None:
    o = Outside(traced_stack.stack)
    holder, pid, year = new_uscc(), f"TR-{uuid.uuid4().hex[:8]}", 2025
    await o.enterprise(holder, f"北京亦庄追踪制造有限公司{holder[-4:]}", new_person())
    await o.parcel(pid, holder)
    await o.wait_grade(pid, "B", year=None)  # the parcel's first grade, before the filing

    filing = {"filing_id": f"TAX-{year}-{pid}", "uscc": holder, "parcel_id": pid, "year": year, "quarter": 1,
              "output_value": "90000000", "tax_paid": "4500000"}
    posted = await o.http.post(f"{traced_stack.stack.registry}/v1/revenue-filings", json=filing,
                               headers=auth("tax-system"))
    assert posted.status_code == 201, posted.text
    trace_id = posted.headers["traceparent"].split("-")[1]

    def in_trace() -> list[dict[str, Any]] | None:
        spans = [s for s in _spans(traced_stack) if s["trace_id"] == trace_id]
        return spans if any(s["service"] == "credit-ledger" and s["kind"] == "CONSUMER" for s in spans) else None

    spans = await eventually(in_trace, timeout=90)
    by_id = {s["span_id"]: s for s in spans}

    [server] = [s for s in spans if s["kind"] == "SERVER"]
    assert (server["service"], server["name"], server["parent_span_id"]) == (
        "parcel-registry", "POST /v1/revenue-filings", None)
    assert any(s["kind"] == "CLIENT" and s["parent_span_id"] == server["span_id"] for s in spans)  # its SQL

    def chain(span: dict[str, Any]) -> list[tuple[str, str]]:
        """(service, kind) from the span up to the trace's root."""
        hops = []
        while span is not None:
            hops.append((span["service"], span["kind"]))
            span = by_id.get(span["parent_span_id"])  # type: ignore[assignment]
        return hops

    [credit] = [s for s in spans if s["service"] == "credit-ledger" and s["kind"] == "CONSUMER"]
    assert credit["name"] == "landgrade.evaluation.grades.v1 process"
    assert chain(credit) == [
        ("credit-ledger", "CONSUMER"), ("evaluation", "PRODUCER"), ("evaluation", "CONSUMER"),
        ("parcel-registry", "PRODUCER"), ("parcel-registry", "SERVER")]
    assert {s["service"] for s in spans} >= {"parcel-registry", "evaluation", "credit-ledger"}

    # The batch that applied the event is a trace of its own (its SQL under it) linking to it.
    batches = [s for s in _spans(traced_stack) if s["name"].endswith("process batch")
               and {"trace_id": trace_id, "span_id": credit["span_id"]} in s["links"]]
    assert [b["service"] for b in batches] == ["credit-ledger"]
    assert batches[0]["trace_id"] != trace_id
