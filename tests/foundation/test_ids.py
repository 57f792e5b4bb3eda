"""Ids are real random UUIDs: parsable, version 4, RFC variant, canonical text, never repeated."""

from __future__ import annotations

import uuid

from servicekit.ids import new_id


def test_new_ids_are_canonical_version_4_uuids() -> None:
    ids = [new_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:2000]:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # lower-case, hyphenated: the form every consumer already stores


def test_every_random_nibble_varies() -> None:
    # Positions that are fixed by the format are '-', the version '4' and the variant's top bits;
    # every other hex position must take many values, or randomness was lost in the slicing.
    ids = [new_id() for _ in range(2000)]
    for position in range(36):
        seen = {text[position] for text in ids}
        if position in (8, 13, 18, 23):
            assert seen == {"-"}
        elif position == 14:
            assert seen == {"4"}
        elif position == 19:
            assert seen == set("89ab")
        else:
            assert len(seen) == 16, position
