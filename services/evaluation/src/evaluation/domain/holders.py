"""Which rights holder answers for a graded year, from the registry's dated holder periods.

A transfer (转让) dated inside a year splits it between two holders; the ruleset's `year_holder`
says which one the year's grade, credit records and benefits go to. A year before the first
recorded period has the first holder (the ledger knows no earlier one), as the registry reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from evaluation.domain.ruleset import YearHolder


@dataclass(frozen=True)
class HolderSpan:
    """One holder's period: from `valid_from` (None: since first recorded) up to `valid_to`,
    exclusive (None: holds it still). The registry keeps a parcel's periods in order, meeting
    without gap or overlap."""

    uscc: str
    valid_from: date | None = None
    valid_to: date | None = None

    def days_in(self, year: int) -> int:
        """How many days of `year` the period covers."""
        first = max(date(year, 1, 1), self.valid_from or date.min)
        end = min(date(year + 1, 1, 1), self.valid_to or date.max)
        return max((end - first).days, 0)


def holders_in(spans: Sequence[HolderSpan], year: int) -> list[str]:
    """The holders of some day of `year`, in order (the first holder alone for a year before the
    first period)."""
    found = [s.uscc for s in spans if s.days_in(year)]
    return found or ([spans[0].uscc] if spans else [])


def year_holder(spans: Sequence[HolderSpan], year: int, rule: YearHolder, current: str) -> str:
    """The holder who answers for `year` under `rule`; `current` when the registry sent no periods."""
    held = [s for s in spans if s.days_in(year)]
    if not held:
        return spans[0].uscc if spans and _before(spans[0], year) else current
    if rule is YearHolder.FIRST_DAY:
        return held[0].uscc
    if rule is YearHolder.LONGEST_HELD:
        # max() keeps the first of equals: reversed, a tie goes to the later holder.
        return max(reversed(held), key=lambda s: s.days_in(year)).uscc
    return held[-1].uscc


def _before(span: HolderSpan, year: int) -> bool:
    return span.valid_from is not None and span.valid_from > date(year, 12, 31)

