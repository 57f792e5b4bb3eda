"""The demo's years, from the one clock (`servicekit.clock`, fixed by `CLOCK_AT` like the
services'): three full years of history before the current year, and the current year's
quarters that have ended."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from servicekit.clock import Clock, clock_at, today

HISTORY_YEARS = 3
# The enforcement staff's history is made this many days before today: longer than any default
# comply-by period of a state a demo case is left in (rectifying: 90 days), so a case nobody has
# moved since then is past due today.
CASE_HISTORY_DAYS = 120


def demo_clock() -> Clock:
    """The clock the services run on: fixed at `CLOCK_AT` when set, else the system's."""
    at = os.environ.get("CLOCK_AT", "").strip()
    return clock_at(datetime.fromisoformat(at) if at else None)


def quarter_end(year: int, quarter: int) -> date:
    return date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class DemoCalendar:
    today: date

    @classmethod
    def of(cls, clock: Clock | None = None) -> DemoCalendar:
        return cls(today(clock or demo_clock()))

    @property
    def current_year(self) -> int:
        return self.today.year

    @property
    def history(self) -> tuple[int, ...]:
        return tuple(range(self.current_year - HISTORY_YEARS, self.current_year))

    @property
    def years(self) -> tuple[int, ...]:
        return (*self.history, self.current_year)

    def quarters(self, year: int) -> tuple[int, ...]:
        """The quarters of `year` that have ended by today (all four for a past year)."""
        return tuple(q for q in (1, 2, 3, 4) if quarter_end(year, q) < self.today)

    @property
    def case_history_on(self) -> date:
        """The day the grades opened the demo's cases and their earlier moves were made; every
        inspection the cases stem from was made before it."""
        return self.today - timedelta(days=CASE_HISTORY_DAYS)

    @property
    def final_years(self) -> tuple[int, ...]:
        """Years whose yearly grades are final: all history but the last year."""
        return self.history[:-1]

    @property
    def open_year(self) -> int:
        """Last year: graded and published for objections (公示), not yet final."""
        return self.history[-1]

