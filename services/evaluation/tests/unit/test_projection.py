"""From the stored projection to ParcelFacts: which violations are open, which year's numbers count."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from evaluation.domain.equity import adjacency, equity_linked
from evaluation.domain.facts import HolderAttitude, ViolationKind
from evaluation.domain.grades import Grade
from evaluation.domain.grading import grade
from evaluation.domain.projection import (
    CommitmentRecord,
    DeadlineRecord,
    FindingRecord,
    FlagRecord,
    LeaseRecord,
    ParcelRecord,
    ParcelSources,
    RevenueRecord,
    assemble_facts,
)
from evaluation.domain.rulesets import load_seed_ruleset

TODAY = date(2026, 6, 1)
HOLDER, TENANT = "91110302MA01ABCD1X", "91110115MA00TENT2K"


def sources(**kw) -> ParcelSources:  # type: ignore[no-untyped-def]
    parcel = ParcelRecord(
        "P1",
        "荣华街道",
        kw.pop("category", "self_use"),
        D(10000),
        HOLDER,
        commitments=kw.pop("commitments", ()),
        deadlines=kw.pop("deadlines", ()),
        flags=kw.pop("flags", ()),
    )
    return ParcelSources(parcel, **kw)


def at(month: int) -> datetime:
    return datetime(2025, month, 1, tzinfo=UTC)


def never(_a: str, _b: str) -> bool:
    return False


def test_the_year_decides_revenue_and_commitment() -> None:
    s = sources(
        category="renewal_park",
        commitments=(CommitmentRecord(None, D(5), D(5)), CommitmentRecord(2025, D(9), D(9))),
        revenue={2025: RevenueRecord(D(10), D(10), (HOLDER, TENANT))},
    )
    facts = assemble_facts(s, 2025, never, TODAY)
    assert (facts.output_value, facts.has_filing, facts.contributing_usccs) == (D(10), True, (HOLDER, TENANT))
    assert facts.commitment is not None and facts.commitment.output_value == D(9)
    other = assemble_facts(s, 2024, never, TODAY)
    assert not other.has_filing and other.commitment is not None and other.commitment.output_value == D(5)


def test_an_open_ended_commitment_binds_only_from_its_first_year() -> None:
    # Regression: the registry sends open-ended commitments with `from_year`; earlier years have none.
    s = sources(category="renewal_park", commitments=(CommitmentRecord(None, D(5), D(5), from_year=2025),))
    assert assemble_facts(s, 2024, never, TODAY).commitment is None
    later = assemble_facts(s, 2026, never, TODAY).commitment
    assert later is not None and later.output_value == D(5)
    graded = grade(assemble_facts(s, 2024, never, TODAY), load_seed_ruleset())
    assert graded.grade is Grade.B and "no_commitment_on_record" in graded.flags


def test_the_latest_finding_per_tenant_gives_the_attitude() -> None:
    s = sources(
        findings=(
            FindingRecord("F2", "unauthorised_lease", at(5), TENANT, "refuses_to_correct"),
            FindingRecord("F1", "unauthorised_lease", at(3), TENANT, "undetermined"),
        )
    )
    [lease] = assemble_facts(s, 2025, never, TODAY).violations
    assert lease.violation_id == "F2" and lease.holder_attitude is HolderAttitude.REFUSES_TO_CORRECT


def test_approval_since_the_finding_ends_the_violation() -> None:
    s = sources(
        findings=(FindingRecord("F1", "unauthorised_lease", at(3), TENANT, "refuses_to_correct"),),
        leases=(LeaseRecord("L1", TENANT, approved=True, equity_linked=False),),
    )
    assert assemble_facts(s, 2025, never, TODAY).violations == ()


def test_an_unapproved_lease_in_the_registry_is_an_unauthorised_lease_awaiting_guidance() -> None:
    s = sources(
        leases=(
            LeaseRecord("L1", TENANT, approved=False, equity_linked=True),
            LeaseRecord("L2", "91110000OLD0000000", approved=False, equity_linked=False, end=date(2026, 1, 1)),
        )
    )
    [lease] = assemble_facts(s, 2025, never, TODAY).violations
    assert lease.violation_id == "lease:L1" and lease.equity_linked
    assert lease.holder_attitude is HolderAttitude.UNDETERMINED


def test_equity_link_from_shareholdings_counts_for_findings() -> None:
    graph = adjacency([(TENANT, "E:91110000PARENT0001"), (HOLDER, "E:91110000PARENT0001")])
    s = sources(findings=(FindingRecord("F1", "unauthorised_lease", at(3), TENANT, "refuses_to_correct"),))
    facts = assemble_facts(s, 2025, lambda a, b: equity_linked(a, b, graph, 3), TODAY)
    assert facts.violations[0].equity_linked
    assert not equity_linked(HOLDER, TENANT, graph, 1)  # siblings are two links apart


def test_registry_flags_and_rectified_findings() -> None:
    s = sources(
        flags=(
            FlagRecord("litigation", date(2025, 2, 1)),
            FlagRecord("abandoned", date(2020, 1, 1), cleared_on=date(2022, 1, 1)),
        ),
        findings=(
            FindingRecord("F1", "residential_conversion", at(3), rectified=True),
            FindingRecord("F9", "no_issue", at(4)),
        ),
    )
    violations = assemble_facts(s, 2025, never, TODAY).violations
    assert [(v.kind, v.rectified) for v in violations] == [
        (ViolationKind.LITIGATION, False),
        (ViolationKind.RESIDENTIAL_CONVERSION, True),
    ]


def test_missed_deadlines_are_contract_breaches() -> None:
    s = sources(
        deadlines=(
            DeadlineRecord("production_start", date(2025, 6, 30)),
            DeadlineRecord("completion", date(2025, 1, 1), met_on=date(2025, 3, 1)),
            DeadlineRecord("permit", date(2025, 1, 1), met_on=date(2024, 12, 1)),
            DeadlineRecord("later", date(2027, 1, 1)),
        ),
        revenue={2025: RevenueRecord(D(900_000_000), D(90_000_000))},
    )
    facts = assemble_facts(s, 2025, never, TODAY)
    assert [(b.description, b.rectified) for b in facts.breaches] == [("production_start", False), ("completion", True)]
    from evaluation.domain.rulesets import load_seed_ruleset

    assert grade(facts, load_seed_ruleset()).grade is Grade.B


def test_a_fact_that_begins_after_the_year_leaves_that_year_alone() -> None:
    # Regression: a litigation flag "since 2026-03-01" turned 2025 to D.
    s = sources(
        flags=(FlagRecord("litigation", date(2026, 3, 1)),),
        revenue={2025: RevenueRecord(D(900_000_000), D(90_000_000)),
                 2026: RevenueRecord(D(900_000_000), D(90_000_000))},
    )
    seed = load_seed_ruleset()
    assert assemble_facts(s, 2025, never, TODAY).violations == ()
    assert grade(assemble_facts(s, 2025, never, TODAY), seed).grade is Grade.A
    assert grade(assemble_facts(s, 2026, never, TODAY), seed).grade is Grade.D


def test_a_finding_counts_from_the_beijing_day_of_its_inspection() -> None:
    # 16:30 UTC on 31 December 2025 is half past midnight on 1 January 2026 in Beijing.
    new_year = FindingRecord("F1", "illegal_construction", datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    assert assemble_facts(sources(findings=(new_year,)), 2025, never, TODAY).violations == ()
    [found] = assemble_facts(sources(findings=(new_year,)), 2026, never, TODAY).violations
    assert found.kind is ViolationKind.ILLEGAL_CONSTRUCTION
    # Of the findings up to a year's end, the latest gives that year's attitude.
    later = FindingRecord("F2", "unauthorised_lease", datetime(2026, 2, 1, tzinfo=UTC), TENANT, "refuses_to_correct")
    earlier = FindingRecord("F0", "unauthorised_lease", at(5), TENANT, "cooperating_with_renewal")
    [lease_2025] = assemble_facts(sources(findings=(later, earlier)), 2025, never, TODAY).violations
    [lease_2026] = assemble_facts(sources(findings=(later, earlier)), 2026, never, TODAY).violations
    assert lease_2025.holder_attitude is HolderAttitude.COOPERATING_WITH_RENEWAL
    assert lease_2026.holder_attitude is HolderAttitude.REFUSES_TO_CORRECT


def test_a_lease_counts_from_its_start_and_a_deadline_from_when_it_fell_due() -> None:
    s = sources(
        leases=(LeaseRecord("L1", TENANT, approved=False, equity_linked=False, start=date(2026, 1, 15)),),
        deadlines=(DeadlineRecord("production_start", date(2026, 3, 31)),),
    )
    facts_2025 = assemble_facts(s, 2025, never, TODAY)
    assert facts_2025.violations == () and facts_2025.breaches == ()
    facts_2026 = assemble_facts(s, 2026, never, TODAY)
    assert [v.violation_id for v in facts_2026.violations] == ["lease:L1"]
    assert [b.description for b in facts_2026.breaches] == ["production_start"]
