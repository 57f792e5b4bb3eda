"""Batch lines parsed by orjson give the filing, or the message, the json module's way gave."""

import json
from decimal import Decimal

import pytest

from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.service_layer.intake import loads, parse_line, to_filing

USCC = "91110115MA0000001"


def the_json_way(raw: bytes) -> RevenueFiling | str:
    try:
        item = json.loads(raw, parse_float=Decimal)
    except ValueError as bad:
        return f"not valid JSON: {bad}"
    return to_filing(item)


def line(**fields: object) -> bytes:
    body = {"filing_id": "F-1", "uscc": USCC + "8", "year": 2024, "output_value": "10.50", "tax_paid": "1"}
    return json.dumps(body | fields).encode()


LINES = [
    line(),
    line(quarter=3, parcel_id="P1", revision=0),
    b'{"filing_id": "F-1", "uscc": "91110115MA00000018", "year": 2024, "output_value": 1000.50, "tax_paid": 0}',
    b'{"filing_id": "F-1", "uscc": "91110115MA00000018", "year": 2024, "output_value": 1e3, "tax_paid": 1.0}',
    b'{"filing_id": "F-1", "uscc": "91110115MA00000018", "year": 2024, "output_value": 12345678901234567.89, '
    b'"tax_paid": 0}',
    line(output_value=123456789012345678901234567890),  # beyond 64 bits: orjson would make it a float
    line(year=2024.0),
    line(year="2024"),
    line(quarter=True),
    line(output_value=None),
    line(colour={"r": 1.5}),
    line(filing_id="F\ud800"),
    b'{"filing_id": "F-1", "uscc": "91110115MA00000018", "year": 2024, "output_value": NaN, "tax_paid": Infinity}',
    b'\xef\xbb\xbf' + line(),
    line() + b"\r",
    b'{"filing_id": "F-1", "filing_id": "F-2", "uscc": "91110115MA00000018", "year": 2024, "output_value": "1", '
    b'"tax_paid": "1"}',
    b"[1, 2.5]",
    b"[[1.5]]",
    b"2.50",
    b'"text"',
    b"{not json",
    b'{"a": 1} trailing',
    b"\xff\xfe{}",
]


@pytest.mark.parametrize("raw", LINES)
def test_a_line_becomes_what_the_json_module_made_of_it(raw: bytes) -> None:
    # repr, not ==: Decimal("1000.5") == Decimal("1000.50"), but the events carry the digits sent.
    assert repr(parse_line(raw)) == repr(the_json_way(raw))


def test_a_json_array_body_is_read_alike() -> None:
    body = b'[{"output_value": 1.10}, {"output_value": "1.10"}, 3]'
    assert repr(loads(body)) == repr(json.loads(body, parse_float=Decimal))
