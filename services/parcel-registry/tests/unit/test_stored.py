"""Rows read back from the ledger become the same value objects, without being checked again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.parcels import Parcel
from parcel_registry.domain.stored import rebuilt

USCC = "91110302MA01B2C3D8"


def test_a_rebuilt_filing_equals_the_checked_one() -> None:
    values = {"filing_id": "F-1", "uscc": "91110000100000000R", "year": 2024, "output_value": Decimal("100.50"),
              "tax_paid": Decimal(3), "parcel_id": "P-1", "quarter": 2, "revision": 3}
    checked = RevenueFiling(**values)
    assert rebuilt(RevenueFiling, **values) == checked
    assert rebuilt(RevenueFiling, **values).content == checked.content


def test_defaults_fill_fields_not_given_and_unknown_fields_are_refused() -> None:
    parcel = rebuilt(Parcel, parcel_id="P-1", name="n", jurisdiction="ronghua", area_m2=Decimal(10),
                     category="self_use", rights_holder=USCC)
    assert parcel.flags == () and parcel.address == "" and parcel.contract_terms.commitments == ()
    with pytest.raises(TypeError, match="no fields"):
        rebuilt(Parcel, parcel_id="P-1", colour="red")
    with pytest.raises(TypeError, match="missing"):
        rebuilt(RevenueFiling, filing_id="F-1")
