"""China's official working-day calendar (holidays and swapped working weekends, as the State
Council announces them each year), and counting working days on it: objection windows and due
dates count days on which offices work.

The data is the `chinese-calendar` package's, and over it the notices an operator adds for years
that data does not know yet (a file of the service's settings). A notice is the whole year's: its
holidays are off, its swapped working days are on, other days follow the week."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

Workday = Callable[[date], bool]


class CalendarUnknown(Exception):
    """The official calendar of this year is not in the data yet: no working day is guessed."""

    def __init__(self, year: int) -> None:
        super().__init__(f"China's official calendar for {year} is not known")
        self.year = year


@dataclass(frozen=True)
class YearNotice:
    holidays: frozenset[date]
    workdays: frozenset[date]  # weekend days worked in exchange for a holiday (调休上班)


@dataclass(frozen=True)
class OfficialCalendar:
    notices: Mapping[int, YearNotice] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        notice = self.notices.get(day.year)
        if notice is not None:
            if day in notice.workdays:
                return True
            return day not in notice.holidays and day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarUnknown(day.year) from None

    @classmethod
    def with_notices_from(cls, path: Path | None) -> OfficialCalendar:
        """The calendar with the notices in `path` (none: the bundled data alone). The file is JSON,
        `{"2027": {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-20", ...]}}`; a malformed
        one raises ValueError naming what is wrong, so the service refuses to start on it."""
        if path is None:
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"official calendar file {path}: {error}") from None
        if not isinstance(raw, dict):
            raise ValueError(f"official calendar file {path}: expected an object of years")
        return cls({_year(key, path): _notice(int(key), value, path) for key, value in raw.items()})


def _year(key: str, path: Path) -> int:
    if not (key.isascii() and key.isdigit() and len(key) == 4):
        raise ValueError(f"official calendar file {path}: {key!r} is not a year")
    return int(key)


def _notice(year: int, value: object, path: Path) -> YearNotice:
    if not isinstance(value, dict) or set(value) - {"holidays", "workdays"}:
        raise ValueError(f"official calendar file {path}: {year} must have only 'holidays' and 'workdays'")
    days: dict[str, frozenset[date]] = {}
    for kind in ("holidays", "workdays"):
        listed = value.get(kind, [])
        try:
            days[kind] = frozenset(date.fromisoformat(d) for d in listed)
        except (TypeError, ValueError):
            raise ValueError(f"official calendar file {path}: {year} {kind} must be ISO dates") from None
        if any(d.year != year for d in days[kind]):
            raise ValueError(f"official calendar file {path}: {year} {kind} lists a day of another year")
    if days["holidays"] & days["workdays"]:
        raise ValueError(f"official calendar file {path}: {year} lists a day as both holiday and workday")
    return YearNotice(days["holidays"], days["workdays"])


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
