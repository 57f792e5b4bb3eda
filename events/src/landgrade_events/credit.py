"""Published by credit-ledger."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from servicekit.events import EventData

RECORDS = "landgrade.credit.records.v1"
BENEFITS = "landgrade.credit.benefits.v1"
ANCHORS = "landgrade.credit.anchors.v1"


class CreditRecordAppended(EventData):
    TYPE: ClassVar[str] = "landgrade.credit.record_appended.v1"
    TOPIC: ClassVar[str] = RECORDS
    seq: int
    record_id: str
    subject_kind: Literal["enterprise", "person"]
    subject_ref: str  # USCC, or the opaque person token
    parcel_id: str | None = None
    grade: str | None = None
    relation: str
    path: list[str]
    reason: str
    hash: str

    def key(self) -> str:
        return self.subject_ref


class BenefitChanged(EventData):
    TYPE: ClassVar[str] = "landgrade.credit.benefit_changed.v1"
    TOPIC: ClassVar[str] = BENEFITS
    uscc: str
    # green_channel | key_service_list | incentive_priority | service_guidance | renewal_guidance | restricted
    benefit: str
    action: Literal["granted", "revoked"]
    reason: str
    parcel_id: str | None = None
    grade: str | None = None
    year: int | None = None
    at: datetime

    def key(self) -> str:
        return self.uscc


class LedgerAnchored(EventData):
    TYPE: ClassVar[str] = "landgrade.credit.ledger_anchored.v1"
    TOPIC: ClassVar[str] = ANCHORS
    seq: int
    head_hash: str
    at: datetime

    def key(self) -> str:
        return "ledger"
