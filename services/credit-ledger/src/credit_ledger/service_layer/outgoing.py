"""Domain results as the events this service publishes (contracts in landgrade_events.credit)."""

from __future__ import annotations

from typing import Literal

from credit_ledger.domain.benefits import Action, BenefitChange
from credit_ledger.domain.chain import ChainedRecord
from credit_ledger.domain.grades import GradeFact
from credit_ledger.domain.penetration import Path
from credit_ledger.domain.records import CreditRecord
from landgrade_events.credit import BenefitChanged, CreditRecordAppended


def record_appended(record: CreditRecord, link: ChainedRecord) -> CreditRecordAppended:
    # Persons appear by opaque token only; records never hold a person's name or ID number.
    return CreditRecordAppended(
        seq=link.sequence, record_id=record.record_id, subject_kind=record.subject_kind.value,
        subject_ref=record.subject_ref, parcel_id=record.parcel_id,
        grade=record.grade.value if record.grade else None, relation=record.relation.value,
        path=Path.from_data(record.path).hops(), reason=record.reason, hash=link.hash,
    )


_PUBLISHED: dict[Action, Literal["granted", "revoked"]] = {Action.GRANTED: "granted", Action.REVOKED: "revoked"}


def benefit_changed(change: BenefitChange, fact: GradeFact) -> BenefitChanged | None:
    """Grants and revocations are events; a change of grounds alone (UPDATED) stays internal,
    because the v1 contract only knows `granted` and `revoked`."""
    action = _PUBLISHED.get(change.action)
    if action is None:
        return None
    return BenefitChanged(
        uscc=change.uscc, benefit=change.entitlement.value, action=action,
        reason=change.reason, parcel_id=fact.parcel_id, grade=fact.grade.value, year=fact.year,
        at=change.at,
    )
