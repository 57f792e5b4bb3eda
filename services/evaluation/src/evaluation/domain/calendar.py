"""Working days: objection windows and due dates count days on which offices work, as China's
official calendar sets them (public holidays off, swapped weekends on). Which days those are is
data the caller supplies (`is_workday`); this module only counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

Workday = Callable[[date], bool]


def working_days_after(start: date, count: int, is_workday: Workday) -> date:
    """The `count`-th working day after `start` (the day of publication itself does not count)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day, seen = start, 0
    while seen < count:
        day += timedelta(days=1)
        if is_workday(day):
            seen += 1
    return day
