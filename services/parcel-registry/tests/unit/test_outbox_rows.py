"""The outbox rows of a chunk carry exactly the bytes servicekit's ``Outbox`` would write."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from landgrade_events.registry import FilingAccepted, SuspectedOccupant
from parcel_registry.adapters.outbox_rows import envelope
from servicekit.events import CloudEvent, EventData

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
    assert envelope("parcel-registry", event, wrapped.id, wrapped.time) == wrapped.to_bytes()
