"""Comply-by dates are calendar days in E-Town's own time (Beijing time, UTC+8, no daylight saving).

A holder told to comply by 30 June has all of 30 June local time; the case is
overdue from 1 July 00:00 in Beijing, whatever zone the server runs in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING_TIME = timezone(timedelta(hours=8), "UTC+08:00")


def local_date(at: datetime) -> date:
    return at.astimezone(BEIJING_TIME).date()
