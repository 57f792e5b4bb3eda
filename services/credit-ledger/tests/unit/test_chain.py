"""The hash chain: any direct edit, deletion or reordering of stored records is detected."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_ledger.domain.chain import (
    GENESIS_HASH,
    Anchor,
    Break,
    ChainedRecord,
    append,
    canonical,
    verify,
)


def build(n: int) -> list[ChainedRecord]:
    chain: list[ChainedRecord] = []
    for i in range(n):
        head = Anchor(chain[-1].sequence, chain[-1].hash) if chain else None
        chain.append(append(head, {"subject_ref": f"S{i}", "grade": "A", "amount": Decimal(i)}))
    return chain


def test_an_untouched_chain_verifies_and_reports_its_head() -> None:
    chain = build(5)
    result = verify(chain)
    assert result.ok and result.checked == 5
    assert result.head == Anchor(5, chain[-1].hash)
    assert chain[0].prev_hash == GENESIS_HASH and chain[0].sequence == 1


def test_edited_content_is_named_at_the_edited_record() -> None:
    chain = build(5)
    chain[2] = replace(chain[2], payload={**chain[2].payload, "grade": "D"})
    result = verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 3, Break.EDITED)
    assert result.checked == 2


def test_edit_with_recomputed_hash_breaks_the_link_to_the_next_record() -> None:
    chain = build(5)
    forged = append(Anchor(2, chain[1].hash), {**chain[2].payload, "grade": "D"})
    chain[2] = forged
    result = verify(chain)
    assert (result.broken_at, result.problem) == (4, Break.RELINKED)


def test_a_deleted_row_is_a_sequence_gap() -> None:
    chain = build(5)
    del chain[1]
    result = verify(chain)
    assert (result.broken_at, result.problem) == (2, Break.DELETED)


def test_rows_read_out_of_order_are_reported_as_reordered() -> None:
    chain = build(5)
    chain[1], chain[2] = chain[2], chain[1]
    result = verify(chain)
    assert (result.broken_at, result.problem) == (2, Break.REORDERED)


def test_swapping_the_sequence_numbers_of_two_rows_is_detected() -> None:
    chain = build(5)
    a, b = chain[1], chain[2]
    chain[1] = replace(b, sequence=2)
    chain[2] = replace(a, sequence=3)
    result = verify(chain)
    assert (result.broken_at, result.problem) == (2, Break.REORDERED)


def test_duplicated_row_is_reported() -> None:
    chain = build(3)
    chain.insert(2, chain[1])
    result = verify(chain)
    assert (result.broken_at, result.problem) == (2, Break.REORDERED)


def test_a_consistently_rewritten_tail_is_caught_by_the_published_anchor() -> None:
    chain = build(5)
    anchor = Anchor(4, chain[3].hash)
    rewritten = chain[:2]
    for rec in chain[2:]:
        head = Anchor(rewritten[-1].sequence, rewritten[-1].hash)
        rewritten.append(append(head, {**rec.payload, "grade": "B"}))
    assert verify(rewritten).ok  # without anchors a full rewrite is self-consistent
    result = verify(rewritten, anchors=[anchor])
    assert (result.broken_at, result.problem) == (4, Break.ANCHOR_MISMATCH)


def test_deleting_the_newest_rows_is_caught_by_an_anchor_beyond_the_end() -> None:
    chain = build(5)
    result = verify(chain[:3], anchors=[Anchor(5, chain[4].hash)])
    assert (result.ok, result.problem, result.broken_at) == (False, Break.TRUNCATED, 4)


def test_verification_can_resume_from_a_trusted_anchor() -> None:
    chain = build(6)
    result = verify(chain[3:], start=Anchor(3, chain[2].hash))
    assert result.ok and result.checked == 3 and result.head == Anchor(6, chain[5].hash)
    assert not verify(chain[3:], start=Anchor(3, chain[1].hash)).ok


def test_canonical_form_ignores_key_order_decimal_scale_and_timezone() -> None:
    t = datetime(2025, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    one = canonical({"b": Decimal("1.50"), "a": t, "c": [Decimal("100")]})
    two = canonical({"a": t.astimezone(UTC), "c": [Decimal("1E+2")], "b": Decimal("1.5")})
    assert one == two
    assert b'"100"' in one and b'"2025-03-01T00:00:00.000000+00:00"' in one


def test_canonical_form_keeps_chinese_text_readable() -> None:
    assert "宗地".encode() in canonical({"note": "宗地"})


@pytest.mark.parametrize("bad", [1.5, datetime(2025, 1, 1), object()])
def test_values_that_cannot_round_trip_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        canonical({"x": bad})


@given(size=st.integers(2, 12), data=st.data())
def test_any_single_edit_or_deletion_is_found_at_the_touched_record(size: int, data: st.DataObject) -> None:
    chain = build(size)
    victim = data.draw(st.integers(0, size - 2))  # not the last: only an anchor protects the head
    if data.draw(st.booleans()):
        chain[victim] = replace(chain[victim], payload={**chain[victim].payload, "grade": "X"})
    else:
        del chain[victim]
    result = verify(chain)
    assert not result.ok and result.broken_at == victim + 1
