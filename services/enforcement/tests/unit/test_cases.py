from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enforcement.domain.case_states import TRANSITIONS, CaseKind, CaseState
from enforcement.domain.cases import Case, CaseChanged, CaseOverdue, is_overdue, open_case
from enforcement.domain.due_periods import DuePolicy
from enforcement.domain.errors import IllegalTransition, InvalidInput
from enforcement.domain.local_time import BEIJING_TIME

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)  # 17:00 in Beijing
D0 = date(2024, 6, 1)
POLICY = DuePolicy.from_days()
S = CaseState
ENFORCEMENT_PATH = [S.INSPECTING, S.PLAN_ISSUED, S.RECTIFYING, S.RECTIFIED, S.CLOSED]
GUIDANCE_PATH = [S.BRIEFED, S.MATCHING, S.RENEWAL_AGREED, S.CLOSED]


def new_case(kind: CaseKind = CaseKind.ENFORCEMENT) -> Case:
    return open_case(case_id="c1", kind=kind, parcel_id="P-1", street="ronghua", at=T0,
                     by="system:grades", reason="parcel graded D", due_policy=POLICY)


def walk(case: Case, path: list[CaseState]) -> Case:
    for day, state in enumerate(path, start=1):
        case.transition(state, at=T0 + timedelta(days=day), by="officer-zhao", reason=f"to {state}",
                        due_policy=POLICY)
    return case


@pytest.mark.parametrize(("kind", "path"), [(CaseKind.ENFORCEMENT, ENFORCEMENT_PATH),
                                            (CaseKind.RENEWAL_GUIDANCE, GUIDANCE_PATH)])
def test_the_documented_lifecycle_is_recorded_step_by_step(kind: CaseKind, path: list[CaseState]) -> None:
    case = walk(new_case(kind), path)
    assert case.state is S.CLOSED and case.closed_at == T0 + timedelta(days=len(path))
    assert [e.to_state for e in case.timeline] == [S.OPENED, *path]
    assert all(e.by and e.reason for e in case.timeline)
    assert [type(e) for e in case.events] == [CaseChanged] * (len(path) + 1)
    assert case.timeline[-1].due_date is None


def test_each_step_gets_the_configured_comply_by_date() -> None:
    case = new_case()
    assert case.due_date == date(2024, 6, 11)
    case.transition(S.INSPECTING, at=T0, by="zhao", reason="site visit booked", due_policy=POLICY)
    assert case.due_date == date(2024, 6, 21)
    custom = D0 + timedelta(days=3)
    entry = case.transition(S.PLAN_ISSUED, at=T0, by="zhao", reason="plan served", due_policy=POLICY,
                            due_date=custom)
    assert case.due_date == entry.due_date == custom


def test_the_comply_by_day_is_counted_in_beijing_time() -> None:
    late_evening_utc = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)  # already 2 June in Beijing
    case = open_case(case_id="c2", kind=CaseKind.ENFORCEMENT, parcel_id="P-1", street="ronghua",
                     at=late_evening_utc, by="system", reason="graded D", due_policy=POLICY)
    assert case.due_date == date(2024, 6, 12)
    last_minute = datetime(2024, 6, 12, 23, 59, tzinfo=BEIJING_TIME)
    assert not is_overdue(case, last_minute)
    assert is_overdue(case, last_minute + timedelta(minutes=1))


@pytest.mark.parametrize(
    ("kind", "path", "illegal"),
    [(CaseKind.ENFORCEMENT, [], S.RECTIFIED), (CaseKind.ENFORCEMENT, [], S.BRIEFED),
     (CaseKind.RENEWAL_GUIDANCE, [], S.MATCHING), (CaseKind.ENFORCEMENT, ENFORCEMENT_PATH, S.OPENED),
     (CaseKind.ENFORCEMENT, ENFORCEMENT_PATH[:4], S.REFERRED_TO_LEGAL),
     (CaseKind.RENEWAL_GUIDANCE, [], S.CLOSED)],
)
def test_illegal_transitions_are_refused_and_change_nothing(kind, path, illegal) -> None:
    case = walk(new_case(kind), path)
    before = (case.state, len(case.timeline), case.due_date)
    with pytest.raises(IllegalTransition):
        case.transition(illegal, at=T0 + timedelta(days=30), by="zhao", reason="try", due_policy=POLICY)
    assert (case.state, len(case.timeline), case.due_date) == before


@given(st.sampled_from(CaseKind), st.sampled_from(CaseState), st.sampled_from(CaseState))
def test_a_transition_succeeds_exactly_when_the_table_has_the_edge(kind, start, target) -> None:
    if start not in TRANSITIONS[kind]:
        return
    case = new_case(kind)
    case.state = start
    allowed = target in TRANSITIONS[kind][start]
    try:
        case.transition(target, at=T0 + timedelta(days=1), by="zhao", reason="r", due_policy=POLICY)
        assert allowed and case.state is target
    except IllegalTransition:
        assert not allowed and case.state is start


@pytest.mark.parametrize("steps", [0, 1, 2, 3])
def test_legal_referral_is_possible_until_rectified_and_has_no_due_date(steps: int) -> None:
    case = walk(new_case(), ENFORCEMENT_PATH[:steps])
    case.transition(S.REFERRED_TO_LEGAL, at=T0 + timedelta(days=9), by="zhao", reason="holder refuses",
                    due_policy=POLICY)
    assert case.due_date is None and not is_overdue(case, T0 + timedelta(days=3650))
    case.transition(S.RECTIFYING, at=T0 + timedelta(days=99), by="zhao", reason="court order obeyed",
                    due_policy=POLICY)
    assert case.state is S.RECTIFYING


def test_why_and_who_are_required_and_due_date_must_follow_the_change() -> None:
    case = new_case()
    with pytest.raises(InvalidInput) as exc:
        case.transition(S.INSPECTING, at=T0, by=" ", reason="", due_policy=POLICY, due_date=D0)
    assert {e.field for e in exc.value.errors} == {"by", "reason", "due_date"}
    assert case.state is S.OPENED


@pytest.mark.parametrize("steps", [0, 2, 4])
def test_a_grade_change_closes_a_case_from_any_open_state(steps: int) -> None:
    case = walk(new_case(), ENFORCEMENT_PATH[:steps])
    case.close_for_grade(at=T0 + timedelta(days=40), by="system:grades", reason="parcel re-graded B")
    assert case.state is S.CLOSED and case.timeline[-1].reason == "parcel re-graded B"
    with pytest.raises(IllegalTransition):
        case.close_for_grade(at=T0 + timedelta(days=41), by="system:grades", reason="again")


def test_overdue_means_open_and_past_the_comply_by_date() -> None:
    case = new_case()
    assert case.due_date == date(2024, 6, 11)
    assert not is_overdue(case, datetime(2024, 6, 11, 15, 0, tzinfo=UTC))  # 23:00 on the day itself
    assert is_overdue(case, datetime(2024, 6, 11, 16, 0, tzinfo=UTC))  # midnight in Beijing
    walk(case, ENFORCEMENT_PATH)
    assert not is_overdue(case, T0 + timedelta(days=3650))


def test_an_overdue_notice_is_raised_once_per_missed_date() -> None:
    case = new_case()
    late = T0 + timedelta(days=11)
    assert case.flag_overdue(late, by="system:overdue-check")
    assert not case.flag_overdue(late + timedelta(days=1), by="system:overdue-check")
    assert isinstance(case.events[-1], CaseOverdue) and case.timeline[-1].action == "overdue"
    case.transition(S.INSPECTING, at=late, by="zhao", reason="finally started", due_policy=POLICY)
    assert not case.flag_overdue(late + timedelta(days=1), by="system:overdue-check")
    assert case.flag_overdue(late + timedelta(days=21), by="system:overdue-check")
    assert sum(isinstance(e, CaseOverdue) for e in case.events) == 2


def test_due_periods_are_configurable_per_kind_and_state() -> None:
    policy = DuePolicy.from_days({"enforcement": {"rectifying": 30, "opened": None}})
    assert policy.due_date(CaseKind.ENFORCEMENT, S.RECTIFYING, T0) == D0 + timedelta(days=30)
    assert policy.due_date(CaseKind.ENFORCEMENT, S.OPENED, T0) is None
    assert policy.due_date(CaseKind.RENEWAL_GUIDANCE, S.MATCHING, T0) == D0 + timedelta(days=90)


@pytest.mark.parametrize(
    "overrides",
    [{"demolition": {"opened": 5}}, {"enforcement": {"briefed": 5}}, {"enforcement": {"closed": 5}},
     {"enforcement": {"opened": 0}}, {"enforcement": {"opened": True}}],
)
def test_bad_due_period_settings_are_refused(overrides) -> None:
    with pytest.raises(ValueError):
        DuePolicy.from_days(overrides)


def test_a_retried_move_is_recognised_but_a_different_one_is_not() -> None:
    case = walk(new_case(), ENFORCEMENT_PATH[:1])
    assert case.repeats_last_move(S.INSPECTING, "officer-zhao", "to inspecting")
    assert not case.repeats_last_move(S.INSPECTING, "officer-li", "to inspecting")
    assert not case.repeats_last_move(S.PLAN_ISSUED, "officer-zhao", "to inspecting")
    assert not new_case().repeats_last_move(S.OPENED, "system:grades", "parcel graded D")
