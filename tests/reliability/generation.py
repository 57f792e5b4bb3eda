"""What schemathesis needs to generate requests the services' documents describe, for every suite
that generates them (tests/contracts, tests/reliability): values for the named formats JSON Schema
cannot state fully, and a serializer for the batch routes' NDJSON."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import schemathesis
from hypothesis import strategies as st

from tests.reliability.world import new_id_number, new_uscc


def _ndjson(ctx: Any, value: Any) -> bytes:
    """One JSON document per line."""
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item, ensure_ascii=False).encode() + b"\n" for item in items)


def register() -> None:
    """Registers the formats and the NDJSON serializer (idempotent: registering again replaces)."""
    seeds = st.integers(min_value=0, max_value=2**32)
    schemathesis.openapi.format("uscc", seeds.map(lambda s: new_uscc(random.Random(s))))
    schemathesis.openapi.format("resident-id", seeds.map(lambda s: new_id_number(random.Random(s))))
    # A date not after today (a transfer is recorded once in force): any day up to the end of 2025.
    schemathesis.openapi.format("past-date", st.dates(date(1949, 1, 1), date(2025, 12, 31)).map(date.isoformat))
    # A moment already past (an inspection's time on site), with a time zone offset.
    schemathesis.openapi.format("past-date-time", st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2020, 12, 31),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))])).map(datetime.isoformat))
    schemathesis.serializer("application/x-ndjson")(_ndjson)
