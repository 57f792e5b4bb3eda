"""The rules JSON Schema cannot state are listed in each operation's `x-landgrade-rules`, under
the very field names a 422 gives, so a client built from the document can apply them; rules
about the ledger's record are 409s, documented on the route."""

from __future__ import annotations

from typing import Any

import pytest

from landgrade_reference.uscc import with_check_character
from parcel_registry.bootstrap import build_app
from parcel_registry.domain.errors import ActConflict, DomainValidationError, FieldError
from parcel_registry.entrypoints.http.deps import PROBLEMS
from parcel_registry.entrypoints.http.schemas import EnterpriseIn, LeaseIn, ParcelIn
from parcel_registry.service_layer.intake import UnknownParcel

HOLDER = with_check_character("91110115MA0000001")
OTHER = with_check_character("91110115MA0000002")
PARCEL = {"name": "Optics plant", "street": "荣华街道", "area_m2": "100", "category": "self_use",
          "rights_holder": HOLDER}


@pytest.fixture(scope="module")
def operations() -> dict[str, dict[str, Any]]:
    document = build_app(run_background=False).openapi()
    return {f"{method.upper()} {path}": op for path, item in document["paths"].items() for method, op in item.items()}


def stated_fields(operation: dict[str, Any]) -> set[str]:
    rules = operation.get("x-landgrade-rules", [])
    assert all(rule["zh"] and rule["en"] and rule["fields"] for rule in rules)
    return {field for rule in rules for field in rule["fields"]}


def refused_fields(build: Any) -> list[str]:
    with pytest.raises(DomainValidationError) as refused:
        build()
    assert not isinstance(refused.value, ActConflict)
    return [e.field for e in refused.value.errors]


def test_a_parcels_rules_across_fields_are_stated_under_the_names_its_422_gives(
    operations: dict[str, dict[str, Any]],
) -> None:
    stated = stated_fields(operations["PUT /v1/parcels/{parcel_id}"])
    cases = [
        {"commitments": [{"from_year": 2025, "to_year": 2024, "output_value": 1, "tax": 1}]},
        {"commitments": [{"from_year": 2024, "output_value": 1, "tax": 1},
                         {"from_year": 2025, "output_value": 1, "tax": 1}]},
        {"flags": [{"kind": "litigation", "since": "2025-01-02", "source": "court", "cleared_on": "2025-01-01"}]},
        {"geometry": {"type": "Polygon", "coordinates": [[[116.5, 39.8], [116.6, 39.8], [116.6, 39.9], [116.5, 39.9]]]}},
    ]
    for case in cases:
        fields = refused_fields(lambda case=case: ParcelIn.model_validate(PARCEL | case).to_domain("P1", "ronghua"))
        assert fields and set(fields) <= stated, (case, fields)
    # The last commitment a body may carry has its fields named too.
    last = ParcelIn.model_fields["commitments"].metadata[0].max_length - 1
    assert {f"commitments[{last}].to_year", f"commitments[{last}].from_year"} <= stated


def test_shares_a_lease_s_dates_and_a_filing_s_year_are_stated(operations: dict[str, dict[str, Any]]) -> None:
    shares = [{"kind": "enterprise", "name": f"S{i}", "uscc": u, "share_pct": 60} for i, u in enumerate((HOLDER, OTHER))]
    fields = refused_fields(lambda: EnterpriseIn.model_validate({"name": "E", "shareholders": shares}).to_domain(
        with_check_character("91110115MA0000003")))
    stated = stated_fields(operations["PUT /v1/enterprises/{uscc}"])
    assert fields and set(fields) <= stated and "shareholders" in stated
    # The same shareholder twice, and an enterprise among its own shareholders: stated per item.
    twice = [shares[0], shares[0] | {"share_pct": 10}]
    fields = refused_fields(lambda: EnterpriseIn.model_validate({"name": "E", "shareholders": twice}).to_domain(
        with_check_character("91110115MA0000003")))
    assert fields and set(fields) <= stated
    fields = refused_fields(lambda: EnterpriseIn.model_validate({"name": "E", "shareholders": shares[:1]}).to_domain(
        HOLDER))
    assert fields and set(fields) <= stated

    lease = {"tenant_uscc": OTHER, "area_m2": "1", "start": "2025-01-02", "end": "2025-01-01"}
    with pytest.raises(DomainValidationError) as refused:
        LeaseIn.model_validate(lease).to_domain("P1", "L1")
    renamed = refused.value.renamed({"ends_on": "end"})
    assert {e.field for e in renamed.errors} <= stated_fields(operations["PUT /v1/parcels/{parcel_id}/leases/{lease_id}"])
    assert stated_fields(operations["POST /v1/revenue-filings"]) == {"year"}


def test_rules_about_the_ledgers_record_are_documented_409s_naming_the_field(
    operations: dict[str, dict[str, Any]],
) -> None:
    for label in ("PUT /v1/parcels/{parcel_id}", "PUT /v1/parcels/{parcel_id}/leases/{lease_id}",
                  "POST /v1/parcels/{parcel_id}/transfers", "POST /v1/revenue-filings"):
        assert "409" in operations[label]["responses"], label
    conflict = PROBLEMS[ActConflict](ActConflict([FieldError("reason", "a reason is required to change area_m2")]))
    assert conflict.errors and (conflict.status, conflict.errors[0]["field"]) == (409, "reason")
    assert str(conflict.errors[0]["message"]).startswith("变更 area_m2 须说明理由")
    unknown = PROBLEMS[UnknownParcel](UnknownParcel("parcel P9 is not in the ledger", "parcel_id"))
    assert unknown.errors and (unknown.status, unknown.errors[0]["field"]) == (409, "parcel_id")
