from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from enforcement.domain.case_decisions import CloseCase, GradeChange, GradeOrder, OpenCase, ReopenCase, decide
from enforcement.domain.case_states import CaseKind, CaseState
from enforcement.domain.cases import Case, open_case
from enforcement.domain.due_periods import DuePolicy

T0 = datetime(2024, 6, 1, tzinfo=UTC)
POLICY = DuePolicy.from_days()


def grade(letter: str, day: int = 0, *reasons: str, year: int = 2024) -> GradeChange:
    return GradeChange("P-1", letter, year, T0 + timedelta(days=day), reasons)


def acted(day: int = 0, year: int = 2024) -> GradeOrder:
    """The newest grading acted on: `year`'s, made `day` days after T0."""
    return GradeOrder(year, T0 + timedelta(days=day))


def case_of(kind: CaseKind, case_id: str = "c1") -> Case:
    return open_case(case_id=case_id, kind=kind, parcel_id="P-1", street="ronghua", at=T0, by="system",
                     reason="graded", due_policy=POLICY)


def apply(cases: list[Case], change: GradeChange, last: GradeOrder | None) -> None:
    """What the service layer does with the decisions, in memory."""
    for d in decide(change, cases, last):
        if isinstance(d, OpenCase):
            cases.append(case_of(d.kind, f"c{len(cases) + 1}"))
        elif isinstance(d, CloseCase):
            next(c for c in cases if c.case_id == d.case_id).close_for_grade(
                at=change.graded_at, by="system", reason=d.reason)
        else:
            next(c for c in cases if c.case_id == d.case_id).transition(
                CaseState.INSPECTING, at=change.graded_at, by="system", reason=d.reason, due_policy=POLICY)


def test_a_d_grade_opens_an_enforcement_case_with_the_reasons() -> None:
    [decision] = decide(grade("D", 0, "unauthorised lease, holder refuses to correct"), [], None)
    why = "parcel graded D: unauthorised lease, holder refuses to correct"
    assert decision == OpenCase(CaseKind.ENFORCEMENT, why)


def test_a_d_grade_delivered_twice_opens_one_case() -> None:
    assert decide(grade("D"), [case_of(CaseKind.ENFORCEMENT)], acted()) == []


def test_a_c_grade_opens_renewal_guidance() -> None:
    assert decide(grade("C"), [], None) == [OpenCase(CaseKind.RENEWAL_GUIDANCE, "parcel graded C")]


def test_moving_from_d_to_c_swaps_the_case() -> None:
    decisions = decide(grade("C", 5), [case_of(CaseKind.ENFORCEMENT)], acted())
    assert decisions == [CloseCase("c1", "parcel re-graded C, no longer D"),
                         OpenCase(CaseKind.RENEWAL_GUIDANCE, "parcel graded C")]


def test_leaving_d_and_c_closes_the_case_with_the_new_grade() -> None:
    assert decide(grade("b", 5), [case_of(CaseKind.RENEWAL_GUIDANCE)], acted()) == [
        CloseCase("c1", "parcel re-graded B, no longer C")]


def test_an_out_of_date_grade_is_ignored() -> None:
    assert decide(grade("A", 1), [case_of(CaseKind.ENFORCEMENT)], acted(2)) == []


def test_an_earlier_years_grade_published_later_leaves_the_current_years_case_open() -> None:
    """Regression: the final B of 2025, published in the spring of 2026, closed the enforcement
    case a D of 2026 (a violation found in January) had opened, because it was graded later."""
    cases: list[Case] = []
    apply(cases, grade("D", 0, "in litigation", year=2026), None)
    assert decide(grade("B", 60, year=2025), cases, acted(0, year=2026)) == []
    # A correction of the same year still counts by when it was made.
    assert decide(grade("B", 90, year=2026), cases, acted(0, year=2026)) == [
        CloseCase("c1", "parcel re-graded B, no longer D")]


def test_a_d_after_rectification_sends_the_case_back_to_inspection() -> None:
    case = case_of(CaseKind.ENFORCEMENT)
    for day, state in enumerate(["inspecting", "plan_issued", "rectifying", "rectified"], start=1):
        at = T0 + timedelta(days=day)
        case.transition(CaseState(state), at=at, by="zhao", reason=state, due_policy=POLICY)
    assert decide(grade("D", 3), [case], acted()) == []  # graded before the rectification
    [reopen] = decide(grade("D", 10), [case], acted())
    assert isinstance(reopen, ReopenCase) and reopen.case_id == "c1"


@given(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=12), st.data())
def test_at_most_one_open_case_per_kind_and_it_follows_the_latest_grade(letters, data) -> None:
    cases: list[Case] = []
    last = None
    for day, letter in enumerate(letters):
        repeats = data.draw(st.integers(1, 3))  # duplicate deliveries
        for _ in range(repeats):
            apply(cases, grade(letter, day), last)
            last = acted(day)
    open_kinds = [c.kind for c in cases if c.is_open]
    assert len(open_kinds) == len(set(open_kinds)) <= 1
    expected = {"D": [CaseKind.ENFORCEMENT], "C": [CaseKind.RENEWAL_GUIDANCE]}.get(letters[-1], [])
    assert open_kinds == expected
