"""Every row the demo sends passes the receiving service's own request models and domain rules,
so `make run` never stops half-seeded on a refused row."""

from __future__ import annotations

from enforcement.entrypoints.http.schemas import InspectionIn, TransitionIn
from landgrade_reference.jurisdictions import jurisdiction
from parcel_registry.entrypoints.http.schemas import EnterpriseIn, FilingIn, LeaseIn, ParcelIn
from tests.demo.conftest import Demo


def test_enterprises_parcels_leases_and_filings_pass_the_registrys_rules(demo: Demo) -> None:
    for e in demo.data.enterprises:
        EnterpriseIn.model_validate({k: v for k, v in e.items() if k != "uscc"}).to_domain(e["uscc"])
    for p in demo.data.parcels:
        body = ParcelIn.model_validate({k: v for k, v in p.items() if k != "parcel_id"})
        body.to_domain(p["parcel_id"], jurisdiction(p["street"]).code)
    for lease in demo.data.leases:
        body = LeaseIn.model_validate({k: v for k, v in lease.items() if k not in ("parcel_id", "lease_id")})
        body.to_domain(lease["parcel_id"], lease["lease_id"])
    ids = [f["filing_id"] for f in demo.data.filings]
    assert len(set(ids)) == len(ids)
    for f in demo.data.filings:
        FilingIn.model_validate(f).to_domain()


def test_inspections_and_case_moves_pass_enforcements_rules(demo: Demo) -> None:
    for inspection in demo.data.inspections:
        InspectionIn.model_validate({k: v for k, v in inspection.items() if k != "street"})
    for case in demo.data.cases:
        for move in case["moves"]:
            TransitionIn.model_validate(move)
