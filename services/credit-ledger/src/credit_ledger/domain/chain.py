"""The append-only hash chain that makes credit records tamper-evident.

Record n stores `sequence = n` (1, 2, 3, ... without gaps), the hash of record n-1 (`prev_hash`,
the fixed GENESIS_HASH for record 1) and its own hash:

    hash_n = sha256(prev_hash_n || canonical({"sequence": n, "record": payload_n}))

`canonical` is a byte-exact serialization that survives a database round trip: keys sorted,
no whitespace, Decimals in plain normalized notation ("1.50" and "1.5" hash alike, so a NUMERIC
column's scale cannot break the chain), datetimes converted to UTC ISO-8601 with microseconds,
enums by value. Floats are refused: money is never a float.

Because the sequence is inside the hash and each hash feeds the next, editing a row, deleting a
row (a gap in the sequence) or reordering rows shows up at the first affected record. Rewriting
the whole tail consistently is caught by anchors: (sequence, head hash) pairs published
periodically outside the database; verify checks the chain still passes through every anchor.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in credit records; use Decimal")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"non-finite Decimal {value!r}")
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a credit record; attach a timezone")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    raise TypeError(f"cannot put {type(value).__name__} in a credit record")


def canonical(payload: Mapping[str, Any]) -> bytes:
    """The stable byte form of a record (see the module docstring for the rules)."""
    return json.dumps(
        _plain(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def link_hash(prev_hash: str, sequence: int, payload: Mapping[str, Any]) -> str:
    body = canonical({"sequence": sequence, "record": payload})
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


@dataclass(frozen=True)
class ChainedRecord:
    sequence: int
    prev_hash: str
    hash: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Anchor:
    """A published statement "after record `sequence` the chain head was `head_hash`"."""

    sequence: int
    head_hash: str


def append(head: Anchor | None, payload: Mapping[str, Any]) -> ChainedRecord:
    """The next record after `head` (None = empty ledger). Callers serialize appends."""
    sequence, prev = (head.sequence + 1, head.head_hash) if head else (1, GENESIS_HASH)
    return ChainedRecord(sequence, prev, link_hash(prev, sequence, payload), payload)


class Break(enum.StrEnum):
    EDITED = "edited"  # stored hash does not match the stored content
    DELETED = "deleted"  # a sequence number is missing
    REORDERED = "reordered"  # a sequence number appears out of order or twice
    RELINKED = "relinked"  # prev_hash does not point at the previous record's hash
    ANCHOR_MISMATCH = "anchor_mismatch"  # the chain no longer passes through a published anchor
    TRUNCATED = "truncated"  # an anchor names a record the ledger no longer has


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head: Anchor | None
    broken_at: int | None = None
    problem: Break | None = None
    detail: str = ""


def verify(
    records: Iterable[ChainedRecord],
    anchors: Sequence[Anchor] = (),
    start: Anchor | None = None,
) -> Verification:
    """Recompute the chain over `records` (as read, in sequence order) and name the first break.

    Records are streamed; only after a break is the rest read, to tell a reordering (the missing
    or linked-to record appears later) from a deletion or a forged link.
    `start` resumes after a trusted anchor instead of the genesis, for incremental checks.
    """
    expected_seq, prev = (start.sequence + 1, start.head_hash) if start else (1, GENESIS_HASH)
    by_seq = {a.sequence: a for a in anchors}
    checked, head = 0, start

    def broken(seq: int, problem: Break, detail: str) -> Verification:
        return Verification(False, checked, head, seq, problem, detail)

    stream = iter(records)
    for rec in stream:
        if rec.sequence > expected_seq:
            later = {r.sequence for r in stream}
            if expected_seq in later:
                return broken(expected_seq, Break.REORDERED, f"record {expected_seq} is out of place")
            return broken(expected_seq, Break.DELETED, f"record {expected_seq} is missing")
        if rec.sequence < expected_seq:
            detail = f"record {rec.sequence} found after {expected_seq - 1}"
            return broken(rec.sequence, Break.REORDERED, detail)
        if rec.prev_hash != prev:
            if rec.prev_hash in {r.hash for r in stream}:
                return broken(rec.sequence, Break.REORDERED, "rows were swapped: it links to a later record")
            return broken(rec.sequence, Break.RELINKED, "prev_hash does not match the previous record")
        if link_hash(prev, rec.sequence, rec.payload) != rec.hash:
            return broken(rec.sequence, Break.EDITED, "content does not match its hash")
        anchor = by_seq.get(rec.sequence)
        if anchor is not None and anchor.head_hash != rec.hash:
            return broken(rec.sequence, Break.ANCHOR_MISMATCH, "differs from the published anchor")
        prev, expected_seq, checked = rec.hash, rec.sequence + 1, checked + 1
        head = Anchor(rec.sequence, rec.hash)
    beyond = [a.sequence for a in anchors if a.sequence >= expected_seq]
    if beyond:
        detail = f"an anchor names record {min(beyond)} but the ledger ends earlier"
        return broken(expected_seq, Break.TRUNCATED, detail)
    return Verification(True, checked, head)
