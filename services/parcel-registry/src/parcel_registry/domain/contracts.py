"""What a rights holder signed: the entry agreement / land-transfer contract.

Yearly economic commitments (output value and tax, CNY) hold for a span of years; contracted
deadlines (e.g. production start) are dates the holder promised to meet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise

from .errors import FieldError, raise_if_any
from .values import identifier_problem, money_problem, text_problem, year_problem


@dataclass(frozen=True)
class YearlyCommitment:
    """Committed yearly output and tax from ``from_year`` to ``to_year`` (open-ended if None)."""

    from_year: int
    output_value: Decimal
    tax: Decimal
    to_year: int | None = None

    def covers(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)

    def problems(self) -> list[FieldError]:
        errors = [
            FieldError(name, problem)
            for name, problem in (
                ("from_year", year_problem(self.from_year)),
                ("to_year", None if self.to_year is None else year_problem(self.to_year)),
                ("output_value", money_problem(self.output_value)),
                ("tax", money_problem(self.tax)),
            )
            if problem
        ]
        if not errors and self.to_year is not None and self.to_year < self.from_year:
            errors.append(FieldError("to_year", "must not be before from_year"))
        return errors


@dataclass(frozen=True)
class ContractedDeadline:
    """E.g. ``kind="production_start"``; ``met_on`` is the day it was actually met, if it was."""

    kind: str
    due_on: date
    met_on: date | None = None
    note: str = ""

    def is_missed(self, as_of: date) -> bool:
        if self.met_on is None:
            return self.due_on < as_of
        return self.met_on > self.due_on

    def problems(self) -> list[FieldError]:
        errors = []
        if problem := identifier_problem(self.kind, max_length=40):
            errors.append(FieldError("kind", problem))
        if not isinstance(self.due_on, date):
            errors.append(FieldError("due_on", "must be a date"))
        if self.met_on is not None and not isinstance(self.met_on, date):
            errors.append(FieldError("met_on", "must be a date"))
        if problem := text_problem(self.note, required=False, max_length=500):
            errors.append(FieldError("note", problem))
        return errors


@dataclass(frozen=True)
class ContractTerms:
    commitments: tuple[YearlyCommitment, ...] = ()
    deadlines: tuple[ContractedDeadline, ...] = field(default=())

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        for i, commitment in enumerate(self.commitments):
            errors += [FieldError(f"commitments[{i}].{e.field}", e.reason) for e in commitment.problems()]
        for i, deadline in enumerate(self.deadlines):
            errors += [FieldError(f"deadlines[{i}].{e.field}", e.reason) for e in deadline.problems()]
        if not errors:
            errors += _overlaps(self.commitments)
        raise_if_any(errors)

    def commitment_for(self, year: int) -> YearlyCommitment | None:
        return next((c for c in self.commitments if c.covers(year)), None)

    def missed_deadlines(self, as_of: date) -> tuple[ContractedDeadline, ...]:
        return tuple(d for d in self.deadlines if d.is_missed(as_of))


def _overlaps(commitments: tuple[YearlyCommitment, ...]) -> list[FieldError]:
    """Two commitments covering one year would make "the" commitment of that year ambiguous."""
    ordered = sorted(enumerate(commitments), key=lambda pair: pair[1].from_year)
    errors = []
    for (_, earlier), (j, later) in pairwise(ordered):
        if earlier.to_year is None or earlier.to_year >= later.from_year:
            errors.append(FieldError(f"commitments[{j}].from_year", "overlaps another commitment's years"))
    return errors
