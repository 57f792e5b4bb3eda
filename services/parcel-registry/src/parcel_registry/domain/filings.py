"""Revenue filings from the tax system, and how re-sent and corrected filings are handled.

Idempotency and corrections, per ``filing_id`` (the tax system's id):
- Every filing carries a ``revision``: 0 for the original (the default when omitted), and each
  correction exactly one more than the latest revision on record. Every revision is kept for
  audit; only the latest counts.
- Re-sending any revision already on record with the same content is a no-op (``duplicate``),
  so a late retry of the original after a correction changes nothing.
- The same revision with different content, a revision that skips numbers, or a first filing
  that is not revision 0 is a ``conflict`` (HTTP 409), and nothing is written.
- A correction may change any field except ``filing_id``; "content" is every field but the
  revision, and amounts compare by value (``100`` equals ``100.00``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from landgrade_reference.uscc import normalise_uscc

from .errors import FieldError, raise_if_any
from .identities import uscc_reasons
from .values import identifier_problem, money_problem, year_problem


@dataclass(frozen=True)
class RevenueFiling:
    filing_id: str
    uscc: str
    year: int
    output_value: Decimal
    tax_paid: Decimal
    parcel_id: str | None = None
    quarter: int | None = None  # None: an annual filing
    revision: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.uscc, str):
            object.__setattr__(self, "uscc", normalise_uscc(self.uscc))
        raise_if_any(filing_problems(self))

    @property
    def is_annual(self) -> bool:
        return self.quarter is None

    @property
    def content(self) -> tuple[object, ...]:
        return (self.uscc, self.parcel_id, self.year, self.quarter, self.output_value, self.tax_paid)

    @property
    def key(self) -> tuple[str, int]:
        return (self.filing_id, self.revision)


def filing_problems(f: RevenueFiling) -> list[FieldError]:
    errors = [FieldError("uscc", r) for r in uscc_reasons(f.uscc)]
    checks = [
        ("filing_id", identifier_problem(f.filing_id)),
        ("parcel_id", None if f.parcel_id is None else identifier_problem(f.parcel_id)),
        ("year", year_problem(f.year)),
        ("output_value", money_problem(f.output_value)),
        ("tax_paid", money_problem(f.tax_paid)),
    ]
    if f.quarter is not None and (isinstance(f.quarter, bool) or f.quarter not in (1, 2, 3, 4)):
        checks.append(("quarter", "must be 1, 2, 3 or 4 (or absent for an annual filing)"))
    if isinstance(f.revision, bool) or not isinstance(f.revision, int) or f.revision < 0:
        checks.append(("revision", "must be a whole number, 0 for the original filing"))
    return errors + [FieldError(name, problem) for name, problem in checks if problem]


FIRST_YEAR = 1949


def filing_year_problem(year: int, current_year: int) -> str | None:
    """Revenue is filed for a year that has begun (Beijing time): a later year is refused, every
    earlier one kept as history."""
    if year > current_year:
        return f"must not be after the current year: allowed {FIRST_YEAR} to {current_year}"
    return None


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # a new filing
    REVISED = "revised"  # a correction of a filing on record
    DUPLICATE = "duplicate"  # already on record exactly so: nothing to do
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str = ""

    @property
    def writes(self) -> bool:
        return self.outcome in (Outcome.ACCEPTED, Outcome.REVISED)


def decide(history: Iterable[RevenueFiling], incoming: RevenueFiling) -> Decision:
    """What to do with ``incoming`` given every revision of its ``filing_id`` on record."""
    by_revision = {f.revision: f for f in history if f.filing_id == incoming.filing_id}
    if not by_revision:
        if incoming.revision == 0:
            return Decision(Outcome.ACCEPTED)
        return Decision(
            Outcome.CONFLICT,
            f"filing {incoming.filing_id} is not on record, so revision {incoming.revision} has nothing "
            "to correct; send the original as revision 0",
        )
    latest = max(by_revision)
    stored = by_revision.get(incoming.revision)
    if stored is not None:
        if stored.content == incoming.content:
            return Decision(Outcome.DUPLICATE)
        return Decision(
            Outcome.CONFLICT,
            f"filing {incoming.filing_id} revision {incoming.revision} is on record with different "
            f"content; to correct it send revision {latest + 1}",
        )
    if incoming.revision == latest + 1:
        return Decision(Outcome.REVISED)
    return Decision(
        Outcome.CONFLICT,
        f"filing {incoming.filing_id} is at revision {latest}; the next correction must be "
        f"revision {latest + 1}, not {incoming.revision}",
    )


_NEW = Decision(Outcome.ACCEPTED)


class FilingHistory:
    """Revisions on record for a set of filing ids, updated as decisions accept new ones.

    A batch may carry a filing and its correction, or the same line twice; deciding line by line
    against this running history treats them exactly as if they had come in separate calls.
    """

    def __init__(self, on_record: Iterable[RevenueFiling] = ()) -> None:
        self._revisions: dict[str, list[RevenueFiling]] = {}
        for filing in on_record:
            self._revisions.setdefault(filing.filing_id, []).append(filing)

    def offer(self, incoming: RevenueFiling) -> Decision:
        revisions = self._revisions.get(incoming.filing_id)
        if revisions is None and incoming.revision == 0:
            # What ``decide`` answers for a first filing, without its work: most lines of a batch.
            self._revisions[incoming.filing_id] = [incoming]
            return _NEW
        decision = decide(revisions or (), incoming)
        if decision.writes:
            self._revisions.setdefault(incoming.filing_id, []).append(incoming)
        return decision

    def latest(self, filing_id: str) -> RevenueFiling | None:
        revisions = self._revisions.get(filing_id)
        return max(revisions, key=lambda f: f.revision) if revisions else None


def current_revisions(filings: Iterable[RevenueFiling]) -> list[RevenueFiling]:
    """The latest revision of each filing id: the ones that count."""
    latest: dict[str, RevenueFiling] = {}
    for f in filings:
        if f.filing_id not in latest or f.revision > latest[f.filing_id].revision:
            latest[f.filing_id] = f
    return sorted(latest.values(), key=lambda f: f.filing_id)
