""""Now" for every service: one injectable clock in Beijing time.

E-Town's year, due dates and objection windows turn at midnight in Asia/Shanghai, eight hours
before the machines' UTC midnight, so nothing takes the date from `datetime.now()` or
`date.today()`: it asks a `Clock`. Tests and the demo fix the clock (`CLOCK_AT`), so that a test
does not change its answer on 1 January.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in Asia/Shanghai."""
        ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    def now(self) -> datetime:
        return datetime.now(BEIJING)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock that stands at `at` (a naive `at` is read as Beijing time), plus `elapsed`."""
    at: datetime
    elapsed: timedelta = timedelta(0)

    def now(self) -> datetime:
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=BEIJING)
        return (at + self.elapsed).astimezone(BEIJING)


def today(clock: Clock) -> date:
    return clock.now().date()


def current_year(clock: Clock) -> int:
    return clock.now().year


def clock_at(at: datetime | None) -> Clock:
    """The clock a service runs on: the system's, or one fixed at `at` (settings `CLOCK_AT`)."""
    return SystemClock() if at is None else FixedClock(at)
