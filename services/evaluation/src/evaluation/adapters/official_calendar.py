"""China's official working-day calendar (holidays and swapped working weekends, as the State
Council announces them each year), from the `chinese-calendar` data."""

from __future__ import annotations

from datetime import date

import chinese_calendar


class CalendarUnknown(Exception):
    """The official calendar of this year is not in the data yet: no working day is guessed."""

    def __init__(self, year: int) -> None:
        super().__init__(f"China's official calendar for {year} is not known")
        self.year = year


def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarUnknown(day.year) from None
