"""The demo's E-Town: deterministic, shaped like E-Town, and accepted by the services' own rules."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from enforcement.domain.due_periods import DEFAULT_DUE_DAYS
from landgrade.demo.calendar import DemoCalendar
from landgrade.demo.dataset import generate, rows
from landgrade_reference.jurisdictions import JURISDICTIONS
from landgrade_reference.resident_ids import resident_id_problems
from landgrade_reference.uscc import is_valid_uscc
from tests.demo.conftest import CLOCK, Demo


def test_the_same_seed_gives_the_same_e_town_and_another_seed_another() -> None:
    first, again, other = (generate(80, seed=s, clock=CLOCK) for s in (7, 7, 8))
    assert first == again
    assert first.parcels != other.parcels
    assert [p["area_m2"] for p in first.parcels] != [p["area_m2"] for p in other.parcels]


def test_rows_yield_the_dataset_in_an_order_a_loader_can_follow() -> None:
    data = generate(80, seed=7, clock=CLOCK)
    streamed = list(rows(80, seed=7, calendar=DemoCalendar(data.today)))
    assert [r for k, r in streamed if k == "filing"] == data.filings
    assert [r for k, r in streamed if k == "parcel"] == data.parcels
    known: set[str] = set()
    for kind, record in streamed:  # each enterprise before any row that names it
        if kind == "enterprise":
            assert all(s.get("uscc") in known for s in record["shareholders"] if s["kind"] == "enterprise")
            known.add(record["uscc"])
        elif kind in ("parcel", "lease", "filing"):
            assert record.get("rights_holder", record.get("tenant_uscc", record.get("uscc"))) in known


def test_counts_per_street_differ_and_every_street_and_town_has_parcels(demo: Demo) -> None:
    counts = Counter(p["street"] for p in demo.data.parcels)
    assert set(counts) == {j.code for j in JURISDICTIONS}
    assert len(set(counts.values())) >= 6
    assert max(counts.values()) >= 2 * min(counts.values())


def test_areas_spread_from_under_one_to_about_thirty_hectares(demo: Demo) -> None:
    hectares = sorted(Decimal(p["area_m2"]) / 10_000 for p in demo.data.parcels)
    assert hectares[0] < 1 and sum(1 for h in hectares if h < 1) >= 20
    assert 20 <= hectares[-1] <= 30
    assert 1.5 <= hectares[len(hectares) // 2] <= 5  # the median parcel is a few hectares


def test_names_are_chinese_words_without_numbers(demo: Demo) -> None:
    names = [e["name"] for e in demo.data.enterprises] + [p["name"] for p in demo.data.parcels]
    names += [s["name"] for e in demo.data.enterprises for s in e["shareholders"]]
    assert not [n for n in names if re.search(r"[0-9０-９]", n)]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", n) for n in names)
    companies = [e["name"] for e in demo.data.enterprises]
    assert len(set(companies)) == len(companies)
    assert all(n.endswith("公司") for n in companies)


def test_every_uscc_and_id_number_carries_a_valid_check_character(demo: Demo) -> None:
    codes = [e["uscc"] for e in demo.data.enterprises] + [f["uscc"] for f in demo.data.filings]
    codes += [lease["tenant_uscc"] for lease in demo.data.leases] + [p["rights_holder"] for p in demo.data.parcels]
    assert codes and all(is_valid_uscc(c) for c in codes)
    assert len({e["uscc"] for e in demo.data.enterprises}) == len(demo.data.enterprises)
    ids = [p["id_number"] for e in demo.data.enterprises for p in e["responsible_persons"]]
    ids += [s["id_number"] for e in demo.data.enterprises for s in e["shareholders"] if s["kind"] == "person"]
    assert ids and not [i for i in ids if resident_id_problems(i, today=demo.data.today)]


def test_shares_are_percentages_that_add_up_to_at_most_a_hundred(demo: Demo) -> None:
    for enterprise in demo.data.enterprises:
        shares = [Decimal(s["share_pct"]) for s in enterprise["shareholders"]]
        assert all(0 < s <= 100 for s in shares) and sum(shares) <= 100


def test_equity_chains_reach_two_and_three_levels(demo: Demo) -> None:
    parent = {e["uscc"]: next((s["uscc"] for s in e["shareholders"] if s["kind"] == "enterprise"), None)
              for e in demo.data.enterprises}

    def depth(code: str) -> int:
        above = parent.get(code)
        return 1 if above is None else 1 + depth(above)

    depths = Counter(depth(code) for code in parent)
    assert depths[2] >= 20 and depths[3] >= 5
    shared = Counter(p["id_number"] for e in demo.data.enterprises for p in e["responsible_persons"])
    assert any(n > 1 for n in shared.values())  # a person responsible for several enterprises


def test_suspected_occupants_file_for_parcels_they_have_no_right_to_and_await_inspection(demo: Demo) -> None:
    lawful = demo.lawful_filers()
    occupied = {f["parcel_id"] for f in demo.data.filings if f["uscc"] not in lawful[f["parcel_id"]]}
    unauthorised = {lease["parcel_id"] for lease in demo.data.leases if not lease["approved"]}
    assert len(occupied) >= 10
    assert not occupied & unauthorised
    # No inspection has been made there yet, so their inspection tasks stay open.
    assert not occupied & {i["parcel_id"] for i in demo.data.inspections}


def test_case_plans_agree_renewal_plans_and_leave_some_enforcement_cases_overdue(demo: Demo) -> None:
    renewal = [c for c in demo.data.cases if c["kind"] == "renewal_guidance"]
    enforcement = [c for c in demo.data.cases if c["kind"] == "enforcement"]
    assert any(c["moves"] and c["moves"][-1]["to"] == "renewal_agreed" for c in renewal)
    assert all(demo.data.profiles[c["parcel_id"]].startswith("C-") for c in renewal)
    assert all(demo.data.profiles[c["parcel_id"]].startswith("D-") for c in enforcement)
    overdue = [c for c in enforcement if c["overdue"]]
    assert overdue and len(overdue) < len(enforcement)
    assert len({c["moves"][-1]["to"] if c["moves"] else "opened" for c in enforcement}) >= 3


def test_the_case_history_day_leaves_cases_past_due_and_every_inspection_before_it(demo: Demo) -> None:
    """Enforcement runs on the case history day's clock while the demo's history is loaded: it
    refuses inspections dated after its "now", and a case left that day must be past due today."""
    calendar = demo.data.calendar
    history_on = calendar.case_history_on.isoformat()
    assert all(i["inspected_at"][:10] < history_on for i in demo.data.inspections)
    assert all(f["since"] < history_on for p in demo.data.parcels for f in p.get("flags", []))
    left = {c["moves"][-1]["to"] if c["moves"] else "opened" for c in demo.data.cases if c["overdue"]}
    periods = {**DEFAULT_DUE_DAYS["enforcement"], **DEFAULT_DUE_DAYS["renewal_guidance"]}
    for state in left:
        days = periods[state]
        assert days is not None and calendar.today - calendar.case_history_on > timedelta(days=days), state


def test_overdue_plans_are_left_on_the_history_day_and_the_others_moved_today(demo: Demo) -> None:
    calendar = demo.data.calendar
    for plan in demo.data.cases:
        assert plan["opened_on"] == calendar.case_history_on.isoformat()
        if plan["overdue"]:
            assert plan["moved_on"] == plan["opened_on"]
        elif plan["moves"][-1]["to"] != "referred_to_legal":  # no comply-by date there
            assert plan["moved_on"] == calendar.today.isoformat()
    litigation = [c for c in demo.data.cases if demo.data.profiles[c["parcel_id"]] == "D-litigation"]
    assert litigation and not any(c["overdue"] for c in litigation)
