from __future__ import annotations

from decimal import Decimal as D

from evaluation.domain.comparison import compare
from evaluation.domain.grades import Grade
from evaluation.domain.ruleset_codec import with_changes


def test_lower_threshold_moves_only_the_parcels_in_between(make_facts, etown) -> None:
    parcels = [
        make_facts(parcel_id="P1", output_value=D("250000000")),  # B -> A
        make_facts(parcel_id="P2", output_value=D("150000000")),  # stays B
        make_facts(parcel_id="P3"),  # stays A
    ]
    lower = with_changes(etown, {"id": "what-if", "thresholds": {"output_per_ha": "200000000"}})
    result = compare(parcels, etown, lower)
    assert result.parcels == 3
    assert result.matrix[Grade.B][Grade.A] == 1 and result.matrix[Grade.B][Grade.B] == 1
    assert result.matrix[Grade.A][Grade.A] == 1
    assert [(m.parcel_id, m.before, m.after) for m in result.moved] == [("P1", Grade.B, Grade.A)]
    assert any("≥ 2亿元/公顷" in text for text in result.moved[0].reasons_zh)
    doc = result.to_dict()
    assert doc["before"] == {"A": 1, "B": 2, "C": 0, "D": 0}
    assert doc["after"] == {"A": 2, "B": 1, "C": 0, "D": 0}
    assert doc["moved_count"] == 1


def test_same_ruleset_moves_nobody(make_facts, etown) -> None:
    result = compare([make_facts(parcel_id=f"P{i}", output_value=D(i * 10**8)) for i in range(5)], etown, etown)
    assert result.moved == () and sum(result.matrix[g][g] for g in Grade) == 5
