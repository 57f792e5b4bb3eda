"""Many grade events into the outbox at once (a yearly run or a finalisation), by COPY.

The envelope is servicekit's (`envelope_bytes`, the bytes every outbox row carries), made from the
plain grade documents (a unit test holds them equal to the contract): validating a hundred thousand
events through pydantic would cost seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from landgrade_events.evaluation import ParcelGraded
from servicekit.events import envelope_bytes, utc_text
from servicekit.ids import new_id
from servicekit.outbox import Outbox
from servicekit.tracing import current_traceparent, new_traceparents

COLUMNS = ["event_id", "topic", "key", "payload", "headers"]


def envelope(source: str, document: dict[str, Any], time: str) -> tuple[str, bytes]:
    event_id = new_id()
    return event_id, envelope_bytes(source, ParcelGraded.TYPE, document["parcel_id"], document, event_id, time)


async def add_grade_events(session: AsyncSession, outbox: Outbox, documents: Iterable[dict[str, Any]]) -> int:
    span = new_traceparents(current_traceparent.get())
    time = utc_text(datetime.now(UTC))
    records = []
    for document in documents:
        event_id, payload = envelope(outbox.source, document, time)
        headers = f'{{"traceparent":"{span()}"}}'  # hex and dashes only: nothing to escape
        records.append((event_id, ParcelGraded.TOPIC, document["parcel_id"], payload, headers))
    if not records:
        return 0
    connection = await session.connection()
    raw: Any = (await connection.get_raw_connection()).driver_connection
    await raw.copy_records_to_table(outbox.table.name, records=records, columns=COLUMNS)
    # The relay is not woken here: these rows are invisible to it until the (long) transaction
    # commits, and each of its polls meanwhile would walk past all of them in the index. The
    # caller wakes it after the commit (`outbox.written.set()`).
    return len(records)
