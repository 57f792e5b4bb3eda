"""Outbox rows carry exactly the bytes of the CloudEvent model, though the model is not built for them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import orjson
import pytest
from sqlalchemy import MetaData

from landgrade_events.registry import FilingAccepted, SuspectedOccupant
from servicekit.events import CloudEvent, EventData, envelope_bytes, utc_text
from servicekit.outbox import Outbox, _published_prefix, outbox_table
from servicekit.tracing import current_traceparent, trace_id

EVENTS: list[EventData] = [
    FilingAccepted(filing_id="F-1", revision=2, uscc="91110115MA0000001X", parcel_id="P/1", year=2024, quarter=None,
                   attributed_output=Decimal("0"), attributed_tax=Decimal("1.10"), counted=True,
                   parcel_year_output=Decimal("123456789012.30"), parcel_year_tax=Decimal("0.00"),
                   parcel_year_filings=3),
    FilingAccepted(filing_id="F-2", revision=0, uscc="91110115MA0000001X", parcel_id="P1", year=2023, quarter=4,
                   attributed_output=Decimal("1E+2"), attributed_tax=Decimal("5"), counted=False,
                   parcel_year_output=Decimal(0), parcel_year_tax=Decimal(0), parcel_year_filings=0),
    SuspectedOccupant(parcel_id="P1", street="荣华街道", uscc="91110115MA0000002X", filing_id="F-3", year=2024,
                      reason='names parcel "P1" \\ \u0000 without a right to it'),
]


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("microsecond", [0, 7, 123456])
def test_envelope_is_byte_for_byte_the_cloud_event(event: EventData, microsecond: int) -> None:
    wrapped = CloudEvent.wrap(event, "parcel-registry", "0b6f0c9e-4a53-4f4e-9d51-6f2b8f0e8b11")
    wrapped.time = datetime(2026, 1, 2, 3, 4, 5, microsecond, tzinfo=UTC)
    made = envelope_bytes("parcel-registry", event.TYPE, event.key(), event.model_dump(mode="json"), wrapped.id,
                          utc_text(wrapped.time))
    assert made == wrapped.to_bytes()


@pytest.mark.parametrize("event", EVENTS)
def test_an_outbox_row_is_the_wrapped_event_under_its_own_span(event: EventData) -> None:
    outbox = Outbox(outbox_table(MetaData()), "parcel-registry")
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    token = current_traceparent.set(parent)
    try:
        rows = [outbox.row(event), outbox.row(event, event_id="0b6f0c9e-4a53-4f4e-9d51-6f2b8f0e8b11")]
    finally:
        current_traceparent.reset(token)
    assert outbox.written.is_set()  # this process's relay wakes at once
    assert rows[1]["event_id"] == "0b6f0c9e-4a53-4f4e-9d51-6f2b8f0e8b11" and rows[0]["event_id"] != rows[1]["event_id"]
    for row in rows:
        parsed = CloudEvent.from_bytes(row["payload"])
        wrapped = CloudEvent.wrap(event, "parcel-registry", row["event_id"])
        wrapped.time = parsed.time
        assert row["payload"] == wrapped.to_bytes()
        assert (row["topic"], row["key"]) == (event.TOPIC, event.key())
        assert trace_id(row["headers"]["traceparent"]) == trace_id(parent)
        assert orjson.loads(row["payload"])["time"].endswith("Z")
    assert rows[0]["headers"] != rows[1]["headers"]


@pytest.mark.parametrize("parent", [None, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"])
def test_rows_written_together_are_each_the_wrapped_event_under_a_span_of_its_own(parent: str | None) -> None:
    outbox = Outbox(outbox_table(MetaData()), "parcel-registry")
    token = current_traceparent.set(parent)
    try:
        rows = outbox.rows(EVENTS)
    finally:
        current_traceparent.reset(token)
    assert outbox.written.is_set()
    assert len({r["event_id"] for r in rows}) == len(EVENTS)
    spans = [r["headers"]["traceparent"] for r in rows]
    assert len(set(spans)) == len(EVENTS)  # each event its own span (or, without a parent, its own trace)
    if parent is not None:
        assert {trace_id(s) for s in spans} == {trace_id(parent)}
        assert all(s.endswith("-00") for s in spans)  # the caller's decision not to record is kept
    for row, event in zip(rows, EVENTS, strict=True):
        wrapped = CloudEvent.wrap(event, "parcel-registry", row["event_id"])
        wrapped.time = CloudEvent.from_bytes(row["payload"]).time
        assert row["payload"] == wrapped.to_bytes()
        assert (row["topic"], row["key"], row["bulk"]) == (event.TOPIC, event.key(), False)


def test_a_batch_is_deleted_only_up_to_its_first_unsent_row() -> None:
    """Rows after a failed one stay, so the retry re-sends them in their order after it."""
    rows = [SimpleNamespace(id=n) for n in (11, 12, 13, 14)]
    refused = RuntimeError("broker refused the batch")
    assert _published_prefix(rows, ["ok"] * 4) == ([11, 12, 13, 14], None)
    assert _published_prefix(rows, ["ok", "ok", refused, "ok"]) == ([11, 12], (13, refused))
    assert _published_prefix(rows, [refused] * 4) == ([], (11, refused))
