"""Every pattern in the OpenAPI documents reads the same in a client's regex engine (JSON Schema's,
ECMA-262) as in the service's (Python's and pydantic's Rust): `\\s` and `\\S` do not. Found when a
cursor holding U+0085 was schema-valid to the generator (ECMA-262's `\\s` leaves it out) and
refused by the service (Rust's counts it blank)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from landgrade_reference.text import BLANKS

DOCUMENTS = sorted((Path(__file__).resolve().parents[2] / "contracts" / "openapi").glob("*.json"))


def _patterns(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield where, value
            else:
                yield from _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _patterns(value, f"{where}/{i}")


def test_no_pattern_leaves_blanks_to_the_engine() -> None:
    assert DOCUMENTS
    found = [(path.name, where, pattern) for path in DOCUMENTS
             for where, pattern in _patterns(json.loads(path.read_text()))
             if re.search(r"(?<!\\)(?:\\\\)*\\[sS]", pattern)]
    assert not found, found


def test_the_spelled_out_blanks_are_exactly_pythons() -> None:
    blank = re.compile(f"[{BLANKS}]")
    assert all(bool(blank.match(chr(c))) == chr(c).isspace() for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
