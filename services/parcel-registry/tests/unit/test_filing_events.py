"""The events a chunk of accepted filings announces (pure: built from data already loaded)."""

from decimal import Decimal

from landgrade_events.registry import FilingAccepted, SuspectedOccupant
from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.attribution import Attribution, Method, OccupancyBasis, Share, ShareStatus, attribute
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.output import Totals
from parcel_registry.service_layer.outgoing import chunk_events

HOLDER = with_check_character("91110115MA0000001")
SQUATTER = with_check_character("91110115MA0000002")


def share(parcel_id: str, amount: str, status: ShareStatus = ShareStatus.COUNTED) -> Share:
    basis = OccupancyBasis.RIGHTS_HOLDER if status is ShareStatus.COUNTED else None
    return Share(parcel_id, Decimal(amount), Decimal(0), status, basis)


def test_revision_moving_a_filing_tells_both_parcels_their_new_totals() -> None:
    revised = RevenueFiling("F1", HOLDER, 2024, Decimal(500), Decimal(0), parcel_id="P2", revision=1)
    attribution = Attribution("F1", 1, Method.NAMED_PARCEL, (share("P2", "500"),))
    totals = {("P2", 2024): Totals(Decimal(500), Decimal(0), 1)}  # P1 has nothing counted left
    events = chunk_events([(revised, attribution)], totals, before=[("F1", "P1", 2024)], after=[], streets={})
    accepted = [e for e in events if isinstance(e, FilingAccepted)]
    assert len(accepted) == len(events)
    assert {e.parcel_id: (e.attributed_output, e.parcel_year_output) for e in accepted} == {
        "P2": (Decimal(500), Decimal(500)),
        "P1": (Decimal(0), Decimal(0)),
    }


def test_suspected_occupant_is_announced_for_the_street_office() -> None:
    filing = RevenueFiling("F9", SQUATTER, 2024, Decimal(9), Decimal(0), parcel_id="P1")
    attribution = attribute(filing, [])
    events = chunk_events([(filing, attribution)], {}, before=[], after=[], streets={"P1": "boxing"})
    accepted, suspected = events
    assert isinstance(accepted, FilingAccepted) and isinstance(suspected, SuspectedOccupant)
    assert accepted.counted is False
    assert suspected.street == "博兴街道" and SQUATTER in suspected.reason


def test_revision_moving_a_filing_to_another_year_tells_the_year_it_left_its_own_totals() -> None:
    # F1 was filed for (P1, 2024); revision 1 says 2023. P1-2024 keeps another filing's 70.
    revised = RevenueFiling("F1", HOLDER, 2023, Decimal(500), Decimal(0), parcel_id="P1", revision=1)
    attribution = Attribution("F1", 1, Method.NAMED_PARCEL, (share("P1", "500"),))
    totals = {("P1", 2023): Totals(Decimal(500), Decimal(0), 1), ("P1", 2024): Totals(Decimal(70), Decimal(0), 1)}
    events = chunk_events([(revised, attribution)], totals, before=[("F1", "P1", 2024)], after=[], streets={})
    by_year = {e.year: e for e in events if isinstance(e, FilingAccepted)}
    assert set(by_year) == {2023, 2024}
    assert (by_year[2023].attributed_output, by_year[2023].parcel_year_output) == (Decimal(500), Decimal(500))
    # The year it left: nothing attributed now, and that year's totals under that year.
    assert (by_year[2024].attributed_output, by_year[2024].parcel_year_output) == (Decimal(0), Decimal(70))
