from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from evaluation.domain.facts import Category, ParcelFacts
from evaluation.domain.ruleset import Ruleset
from evaluation.domain.rulesets import load_seed_ruleset

HOLDER = "91110302MA01ABCD1X"


@pytest.fixture(scope="session")
def etown() -> Ruleset:
    return load_seed_ruleset()


def _facts(**overrides: Any) -> ParcelFacts:
    """One hectare, self-use, with a filing exactly at both A thresholds unless overridden."""
    base: dict[str, Any] = {
        "parcel_id": "P-001",
        "holder_uscc": HOLDER,
        "street": "荣华街道",
        "category": Category.SELF_USE,
        "area_m2": Decimal("10000"),
        "year": 2024,
        "output_value": Decimal("300000000"),
        "tax_paid": Decimal("20000000"),
        "has_filing": True,
    }
    base.update(overrides)
    return ParcelFacts(**base)


@pytest.fixture(scope="session")
def make_facts() -> Callable[..., ParcelFacts]:
    return _facts
