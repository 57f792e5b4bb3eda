"""The clock `CLOCK_AT` sets: the moment it names when first asked, then running on."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from servicekit.clock import BEIJING, clock_at, current_year


def test_a_set_clock_starts_at_its_moment_and_runs_on() -> None:
    """Regression: a clock that stood still gave every grade of a test stack the same time, and
    the credit ledger, which keeps the newer of two grades, dropped each one after the first."""
    at = datetime(2040, 6, 30, 12, 0)
    clock = clock_at(at)
    first = clock.now()
    time.sleep(0.01)
    second = clock.now()
    assert at.replace(tzinfo=BEIJING) <= first < second < first + timedelta(seconds=5)
    assert current_year(clock) == 2040
    # One clock per moment in a process: every part of a service reads the same time.
    assert clock_at(at) is clock and clock_at(datetime(2041, 1, 1)) is not clock


def test_without_a_moment_the_system_clock_is_read_in_beijing() -> None:
    now = clock_at(None).now()
    assert now.utcoffset() == timedelta(hours=8)
    assert abs((now - datetime.now(BEIJING)).total_seconds()) < 5
