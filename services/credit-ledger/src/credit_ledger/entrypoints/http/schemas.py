"""Request and response bodies of the HTTP API (also the OpenAPI document)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from credit_ledger.domain.subjects import SUBJECT_SCHEMA
from landgrade_reference.text import BLANKS

# A UTF-16 surrogate on its own (JSON "\ud800") is no character: no text column can store it.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NOT_TEXT = "含有孤立的代理字符，不是有效的 Unicode 文本 (contains a lone surrogate: not valid Unicode text)"


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class _In(BaseModel):
    """A request body: unknown fields refused, and every text valid Unicode (a 422 naming the
    field, never a failure when the text is stored)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _names_are_text(cls, data: Any) -> Any:
        # A field name that is not text could not even be named back in the answer.
        if isinstance(data, dict) and any(isinstance(k, str) and _LONE_SURROGATE.search(k) for k in data):
            raise ValueError(f"a field name {_NOT_TEXT}")
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _values_are_text(cls, value: Any) -> Any:
        for text in value if isinstance(value, list | tuple) else (value,):
            if isinstance(text, str) and _LONE_SURROGATE.search(text):
                raise ValueError(_NOT_TEXT)
        return value


class RepairIn(_In):
    kind: Literal["repair", "objection"] = Field("repair", description="信用修复 (repair) or 异议 (objection)")
    subject_ref: str = Field(min_length=1, max_length=100, json_schema_extra=SUBJECT_SCHEMA,
                             description="the applicant: USCC or person token")
    record_id: str = Field(min_length=1, max_length=64, description="the negative record to repair")
    evidence: list[str] = Field(min_length=1, max_length=50, description="references to evidence documents")
    statement: str = Field("", max_length=4000)


class DecisionIn(_In):
    note: str = Field("", max_length=4000)


class RepairOut(_Out):
    repair_id: str
    kind: str
    subject_ref: str
    record_id: str
    evidence: list[str]
    statement: str
    status: Literal["pending", "approved", "rejected"]
    applied_at: datetime
    decided_at: datetime | None = None
    decision_note: str | None = None
    appended_record_ids: list[str] = []


class Break(_Out):
    sequence: int
    problem: str
    detail: str


class VerifyOut(_Out):
    ok: bool
    checked: int
    head_sequence: int | None
    head_hash: str | None
    anchors_checked: int
    first_broken: Break | None = None
    verified_at: datetime


class RecordOut(_Out):
    seq: int
    record_id: str
    kind: str
    relation: str
    parcel_id: str
    grade: str | None
    year: int | None
    polarity: str
    reason: str
    path: list[dict[str, str | None]]
    path_sentence: str
    occurred_at: datetime
    disclosed: bool
    supersedes: str | None = None
    superseded_by: str | None = None


class SubjectOut(_Out):
    kind: Literal["enterprise", "person"]
    ref: str
    name: str | None
    status: str | None


class PersonOut(_Out):
    person_ref: str
    name: str = Field(description="masked except for admin")
    role: str


class EquityLinkOut(_Out):
    shareholder_uscc: str
    investee_uscc: str
    share: Decimal


class CreditFileOut(_Out):
    subject: SubjectOut
    masked: bool
    records: list[RecordOut]
    responsible_persons: list[PersonOut]
    equity_links: list[EquityLinkOut]


class EntitlementOut(_Out):
    benefit: str
    since: datetime
    reason: str
    grounds: list[str] = Field(description="parcel ids the entitlement rests on")


class TieOut(_Out):
    parcel_id: str
    relation: str
    path: str
    final_grade: str | None
    final_year: int | None
    pending_grade: str | None


class HistoryOut(_Out):
    benefit: str
    action: str
    reason: str
    at: datetime
    parcel_id: str
    grade: str
    grade_status: str


class BenefitsOut(_Out):
    uscc: str
    name: str | None
    green_channel: bool
    key_service_list: bool
    restricted: bool
    entitlements: list[EntitlementOut]
    ties: list[TieOut]
    history: list[HistoryOut]


class HolderOut(_Out):
    uscc: str
    name: str | None
    since: datetime
    reason: str
    grounds: list[str]


class BenefitListOut(_Out):
    list_: str = Field(alias="list")
    items: list[HolderOut]
    next: str | None = Field(description="pass as `after` for the next page")


class QualityHolderOut(_Out):
    enterprise_name: str | None
    uscc: str
    parcel_id: str
    year: int
    under_review: bool = Field(default=False, description=(
        "the parcel has been graded at or below PUBLIC_LIST_REVIEW_FROM since this final A (a violation "
        "found); listed so only when PUBLIC_LIST_DOWNGRADED is under_review, otherwise left off"))


class QualityHoldersOut(_Out):
    year: int | None
    total: int = Field(description="how many holders the year's list has, on every page")
    limit: int
    offset: int = Field(description="deprecated: the `offset` asked for", json_schema_extra={"deprecated": True})
    items: list[QualityHolderOut]
    next: str | None = Field(description="pass as `after` for the next page; null on the last")


class CreditReadOut(_Out):
    reader: str
    scopes: str
    subject_ref: str
    unmasked: bool
    read_at: datetime


class ContactIn(_In):
    email: str | None = Field(None, max_length=254, pattern=rf"^[^@{BLANKS}]+@[^@{BLANKS}]+\.[^@{BLANKS}]+$",
                              description="where e-mail notices go")
    phone: str | None = Field(None, max_length=32, pattern=r"^\+?[0-9 -]{5,31}$",
                              description="for SMS notices (when that channel is connected)")


class ContactOut(_Out):
    uscc: str
    email: str | None
    phone: str | None
    updated_at: datetime


class NoticeOut(_Out):
    notice_id: str
    kind: Literal["graded_c", "graded_d", "benefits_withdrawn", "year_published"]
    parcel_id: str | None
    subject: str
    body: str = Field(description="in Chinese: what happened, why, what can be done, by when")
    respond_by: date | None
    created_at: datetime
    status: Literal["pending", "sent", "failed"]
    delivered: bool
    sent_at: datetime | None
    channel: str | None
    attempts: int
    last_error: str | None


class NoticesOut(_Out):
    recipient: str
    items: list[NoticeOut]
    next: int | None = Field(description="pass as `after` for the next (older) page; null on the last")
