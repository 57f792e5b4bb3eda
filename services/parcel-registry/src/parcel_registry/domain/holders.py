"""Who held a parcel's land-use right when: dated holder periods, changed by acts (转让), never by
overwriting the past."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from .errors import ActConflict, DomainValidationError, FieldError

NEW_HOLDER_IS_CURRENT = "is already the rights holder"
NOT_AFTER_CURRENT_PERIOD = "must be after the day the current holder's period began ({day})"
NOT_IN_FUTURE = "must not be after today ({day}): a transfer is recorded once it has taken effect"


@dataclass(frozen=True)
class HolderPeriod:
    """One holder's period. `valid_from` is the first day (None: since the parcel was first
    recorded); `valid_to` is the day the next holder's period begins, exclusive (None: holds it
    still). Periods of a parcel are in order and meet without gap or overlap."""

    uscc: str
    valid_from: date | None = None
    valid_to: date | None = None
    document_ref: str = ""

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


def first_periods(holder: str) -> tuple[HolderPeriod, ...]:
    return (HolderPeriod(holder),)


def corrected(periods: Sequence[HolderPeriod], holder: str) -> tuple[HolderPeriod, ...]:
    """The periods with the current holder corrected to `holder` (it was recorded wrongly): the
    earlier periods stand; a transfer is `transferred`."""
    if not periods:
        return first_periods(holder)
    *earlier, current = periods
    return (*earlier, current if current.uscc == holder else replace(current, uscc=holder))


def transferred(
    periods: Sequence[HolderPeriod], new_holder: str, effective_on: date, document_ref: str, today: date
) -> tuple[HolderPeriod, ...]:
    """The periods after a transfer to `new_holder` taking effect on `effective_on`."""
    *earlier, current = periods
    if effective_on > today:
        raise DomainValidationError([FieldError("effective_on", NOT_IN_FUTURE.format(day=today))])
    conflicts = []
    if new_holder == current.uscc:
        conflicts.append(FieldError("new_holder", NEW_HOLDER_IS_CURRENT))
    if current.valid_from is not None and effective_on <= current.valid_from:
        conflicts.append(FieldError("effective_on", NOT_AFTER_CURRENT_PERIOD.format(day=current.valid_from)))
    if conflicts:
        raise ActConflict(conflicts)
    new = HolderPeriod(new_holder, effective_on, None, document_ref)
    return (*earlier, replace(current, valid_to=effective_on), new)


def holder_on(periods: Sequence[HolderPeriod], day: date) -> str:
    """The holder on `day`; a day before the first recorded period has the first holder (the
    ledger knows no earlier one)."""
    for period in periods:
        if period.covers(day):
            return period.uscc
    return periods[0].uscc
