from datetime import date
from decimal import Decimal

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.attribution import Occupancy, occupancies
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.domain.leases import Lease, LeaseApproval
from parcel_registry.domain.output import Basis, enterprise_years, parcel_output
from parcel_registry.domain.parcels import Parcel, ParcelCategory

HOLDER, TENANT, SQUATTER = (with_check_character(f"91110115MA000000{n}") for n in (1, 2, 3))
PARCELS = [
    Parcel("P1", "Park", "ronghua", Decimal(10000), ParcelCategory.APPROVED_PARK, HOLDER),
    Parcel("P2", "Plant", "ronghua", Decimal(10000), ParcelCategory.SELF_USE, HOLDER),
]
LEASES = [
    Lease("L1", "P1", TENANT, Decimal(2000), date(2022, 1, 1), approval=LeaseApproval("A-1", date(2021, 12, 1))),
    Lease("L2", "P1", SQUATTER, Decimal(1000), date(2022, 1, 1)),
]


def f(fid: str, uscc: str, output: str, tax: str = "0", **kw: object) -> RevenueFiling:
    return RevenueFiling(fid, uscc, kw.pop("year", 2024), Decimal(output), Decimal(tax), **kw)  # type: ignore[arg-type]


def occupancy(uscc: str) -> list[Occupancy]:
    return occupancies(uscc, 2024, PARCELS, LEASES)


def test_quarterly_filings_add_up_to_the_year() -> None:
    [year] = enterprise_years([f(f"Q{q}", HOLDER, "100", "10", quarter=q) for q in (1, 2, 3)])
    assert (year.basis, year.output_value, year.tax_paid, year.quarters) == (
        Basis.QUARTERLY,
        Decimal(300),
        Decimal(30),
        (1, 2, 3),
    )


def test_annual_filing_supersedes_the_quarterly_ones() -> None:
    quarterly = [f(f"Q{q}", HOLDER, "100", quarter=q) for q in (1, 2, 3, 4)]
    [year] = enterprise_years([*quarterly, f("Y", HOLDER, "450")])
    assert year.basis is Basis.ANNUAL and year.output_value == Decimal(450)
    assert {x.filing_id for x in year.superseded} == {"Q1", "Q2", "Q3", "Q4"}


def test_years_and_enterprises_are_kept_apart_and_only_latest_revision_counts() -> None:
    years = enterprise_years(
        [
            f("A", HOLDER, "1"),
            f("A", HOLDER, "5", revision=1),
            f("B", HOLDER, "7", year=2023),
            f("C", TENANT, "9"),
        ]
    )
    assert [(y.uscc, y.year, y.output_value) for y in years] == [
        (HOLDER, 2023, Decimal(7)),
        (HOLDER, 2024, Decimal(5)),
        (TENANT, 2024, Decimal(9)),
    ]


def test_parcel_output_sums_holder_and_approved_tenant_but_not_a_suspected_occupant() -> None:
    filings = [
        f("H", HOLDER, "1000.00", "100.00"),  # split evenly between P1 and P2
        f("T", TENANT, "300", "30"),  # tenant's only parcel is P1
        f("S", SQUATTER, "999", "99", parcel_id="P1"),  # unauthorised lease
        f("OLD", HOLDER, "1", year=2023),
    ]
    result = parcel_output("P1", 2024, filings, occupancy)
    assert (result.output_value, result.tax_paid) == (Decimal("800.00"), Decimal("80.00"))
    assert sorted(c.filing.filing_id for c in result.contributions) == ["H", "T"]
    assert [c.filing.filing_id for c in result.suspected_occupants] == ["S"]
    assert result.has_filing


def test_parcel_output_lists_superseded_quarterlies_touching_the_parcel() -> None:
    filings = [f("Q1", TENANT, "50", quarter=1), f("Y", TENANT, "400")]
    result = parcel_output("P1", 2024, filings, occupancy)
    assert result.output_value == Decimal(400)
    assert [x.filing.filing_id for x in result.superseded] == ["Q1"]


def test_no_filing_means_zero_and_is_visible() -> None:
    result = parcel_output("P2", 2024, [], occupancy)
    assert (result.output_value, result.tax_paid, result.has_filing) == (Decimal(0), Decimal(0), False)
