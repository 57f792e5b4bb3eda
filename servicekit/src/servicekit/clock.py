""""Now" for every service: one injectable clock in Beijing time.

E-Town's year, due dates and objection windows turn at midnight in Asia/Shanghai, eight hours
before the machines' UTC midnight, so nothing takes the date from `datetime.now()` or
`date.today()`: it asks a `Clock`. Tests and the demo set the clock (`CLOCK_AT`), so that a test
does not change its answer on 1 January; a set clock runs on from that moment, because the
services order what happens by when it happened (a grade made after another is newer).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class SetClock:
    """A clock set to `at` (a naive `at` is read as Beijing time) when it is made, then running at
    the machine's pace: two things done one after the other get two times in that order."""
    at: datetime
    started: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return FixedClock(self.at, timedelta(seconds=time.monotonic() - self.started)).now()


@functools.cache
def _set_at(at: datetime) -> SetClock:
    return SetClock(at)


def today(clock: Clock) -> date:
    return clock.now().date()


def current_year(clock: Clock) -> int:
    return clock.now().year


def clock_at(at: datetime | None) -> Clock:
    """The clock a process runs on: the system's, or the one set to `at` (settings `CLOCK_AT`),
    made on first use and shared by everything in the process that asks for the same moment."""
    return SystemClock() if at is None else _set_at(at)
