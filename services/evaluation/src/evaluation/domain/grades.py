"""The four grades of the comprehensive evaluation (综合评价) and their precedence."""

from __future__ import annotations

from enum import StrEnum


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def severity(self) -> int:
        """Higher is worse: the policy's precedence is D over C over A/B (and B below A)."""
        return "ABCD".index(self.value)


def worst(*grades: Grade) -> Grade:
    """The grade that wins under the precedence D > C > B > A."""
    if not grades:
        raise ValueError("worst() needs at least one grade")
    return max(grades, key=lambda g: g.severity)


GRADES: tuple[Grade, ...] = (Grade.A, Grade.B, Grade.C, Grade.D)
