"""The public list's review rule: which newer gradings call a final A into question."""

from __future__ import annotations

from credit_ledger.domain.disclosure import PublicListPolicy
from credit_ledger.domain.grades import Grade


def test_by_default_only_a_newer_d_calls_the_a_into_question() -> None:
    policy = PublicListPolicy()
    assert policy.reviewed(Grade.D)
    assert not policy.reviewed(Grade.C) and not policy.reviewed(Grade.B) and not policy.reviewed(None)
    assert policy.review_grades == ("D",)


def test_a_stricter_review_grade_reaches_every_grade_at_or_below_it() -> None:
    policy = PublicListPolicy(review_from=Grade.C)
    assert policy.reviewed(Grade.C) and policy.reviewed(Grade.D) and not policy.reviewed(Grade.A)
    assert policy.review_grades == ("C", "D")
