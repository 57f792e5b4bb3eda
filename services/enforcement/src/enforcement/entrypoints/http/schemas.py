"""Request and response bodies of the HTTP API (the v1 contract for inspection apps and staff)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict

from enforcement.domain.case_states import CaseState
from enforcement.domain.inspections import (
    INSPECTION_ID,
    MAX_FINDINGS,
    MAX_NOTE_CHARS,
    STANDALONE_FINDINGS,
    FindingType,
    HolderAttitude,
)
from landgrade_reference.text import BLANKS
from landgrade_reference.uscc import InvalidUscc, parse_uscc

# A JSON string may spell a lone UTF-16 surrogate ("\ud800"); Python keeps it, and no UTF-8 encoder
# (the database driver, Kafka, the JSON answer) accepts it. Every text of a request body is refused
# here, at the boundary, with the field named, instead of failing deep inside as a 500.
_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_MESSAGE = ("含有未配对的代理字符（U+D800–U+DFFF），不是有效的文本 / "
                     "contains an unpaired surrogate, not valid text")
KEY_SURROGATE_MESSAGE = ("字段名含有未配对的代理字符（U+D800–U+DFFF） / "
                         "a field name contains an unpaired surrogate")


def has_surrogate(value: Any) -> bool:
    """True when `value` (text, or lists and mappings of it, keys included) holds a lone surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, (list, tuple)):
        return any(has_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in value.items())
    return False


def _uscc(value: str | None) -> str | None:
    """A USCC as `parse_uscc` normalises it (NFKC, blanks and dashes dropped, upper case); a blank
    one is absent; anything else is refused with every reason."""
    if value is None or not value.strip():
        return None
    try:
        return parse_uscc(value)
    except InvalidUscc as error:
        raise ValueError(f"不是有效的统一社会信用代码：{error} / not a valid USCC: {error}") from None


# Every USCC a request carries, in a body, a query or a path, is this type.
Uscc = Annotated[str | None, AfterValidator(_uscc)]

# What a schema states of a USCC: the canonical form a generated client sends (any other spelling
# is read too), its check character named by `format: uscc`.
USCC_SCHEMA: dict[str, Any] = {"type": "string", "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                               "format": "uscc", "minLength": 18, "maxLength": 18}
# Some character that `str.strip` keeps (the service strips a name), and no NUL anywhere.
NOT_BLANK = r"^[^\x00]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$"
_STANDALONE = sorted(STANDALONE_FINDINGS)
_REPEATABLE = {FindingType.UNAUTHORISED_LEASE}
# The rules of one finding the schema can state: a lease names its tenant; a standalone finding
# (rectified, no_issue) has no holder attitude.
FINDING_VARIANTS: list[dict[str, Any]] = [
    {"properties": {"type": {"const": FindingType.UNAUTHORISED_LEASE.value}, "tenant_uscc": USCC_SCHEMA},
     "required": ["type", "tenant_uscc"]},
    {"properties": {"type": {"enum": sorted(set(FindingType) - STANDALONE_FINDINGS - _REPEATABLE)}}},
    {"properties": {"type": {"enum": _STANDALONE},
                    "holder_attitude": {"const": HolderAttitude.UNDETERMINED.value}}},
]
# ... and of the list: a standalone finding is the only one; any other type but a lease appears once.
FINDINGS_RULES: dict[str, Any] = {
    "anyOf": [{"maxItems": 1}, {"items": {"properties": {"type": {"not": {"enum": _STANDALONE}}}}}],
    "allOf": [{"contains": {"properties": {"type": {"const": t.value}}, "required": ["type"]},
               "minContains": 0, "maxContains": 1} for t in sorted(set(FindingType) - _REPEATABLE)],
}


class _In(BaseModel):
    """A request body: unknown fields refused, no text with a lone surrogate in any field."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _field_names_are_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(has_surrogate(key) for key in data):
            raise ValueError(KEY_SURROGATE_MESSAGE)
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _text_is_text(cls, value: Any) -> Any:
        # Nested bodies (a list of findings) are checked by their own model, which names the field.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and has_surrogate(text) for text in texts):
            raise ValueError(SURROGATE_MESSAGE)
        return value


class FindingIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=cast(JsonDict, {"oneOf": FINDING_VARIANTS}))

    type: FindingType
    tenant_uscc: Uscc = Field(None, json_schema_extra={"anyOf": [USCC_SCHEMA, {"type": "null"}]},
                              description="Required for unauthorised_lease: the tenant's USCC; any spelling "
                                          "(lower case, blanks, full width) is normalised.")
    holder_attitude: HolderAttitude = Field(HolderAttitude.UNDETERMINED, description=(
        "undetermined (the default) for rectified and no_issue"))
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS)


class InspectionIn(_In):
    inspection_id: str = Field(max_length=128, pattern=INSPECTION_ID.pattern,
                               description="The app's own id; re-sending it is a no-op.")
    # The schema states the registry's form of an id; the service also reads one with blanks around it.
    parcel_id: str = Field(min_length=1, max_length=64, pattern=r"\S", json_schema_extra={
        "pattern": rf"^[^{BLANKS}\x00-\x1f\x7f/\\?#%]{{1,64}}$", "maxLength": 64})
    inspected_at: datetime = Field(json_schema_extra={"format": "past-date-time"}, description=(
        "When the inspector was on site: an RFC 3339 date-time with a time zone offset, not later than "
        "now (10 minutes of clock skew allowed). `format: past-date-time` names that check."))
    inspector: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK,
                           description="Name or staff number of the inspector on site.")
    findings: list[FindingIn] = Field(min_length=1, max_length=MAX_FINDINGS, json_schema_extra=FINDINGS_RULES,
                                      description=(
        "At least one. rectified and no_issue stand alone; any other type appears once, except "
        "unauthorised_lease, once per tenant."))


class FindingOut(BaseModel):
    finding_id: str
    type: FindingType
    holder_attitude: HolderAttitude
    tenant_uscc: str | None
    note: str | None


class EvidenceOut(BaseModel):
    evidence_id: str
    media_type: str
    size_bytes: int
    sha256: str
    filename: str
    recorded_at: datetime
    recorded_by: str
    href: str


class InspectionOut(BaseModel):
    inspection_id: str
    status: Literal["recorded", "pending", "refused", "expired"] = Field(default="recorded", description=(
        "pending: the registry has not reported the parcel yet; the inspection is kept and recorded "
        "when it does (nothing to re-send). refused: the parcel arrived outside the poster's area (`refusal`). "
        "expired: the parcel did not arrive within PENDING_INSPECTION_DAYS (`refusal` says so); sending "
        "the inspection again is accepted as a new pending one."))
    parcel_id: str
    street: str | None = Field(description="The parcel's street or town; null while pending.")
    inspected_at: datetime
    inspector: str
    submitted_by: str
    recorded_at: datetime = Field(description="When the service received the inspection.")
    findings: list[FindingOut]
    evidence: list[EvidenceOut]
    refusal: str | None = Field(default=None, description="why a refused or expired inspection was not recorded")


class TimelineEntryOut(BaseModel):
    at: datetime
    actor: str
    action: Literal["opened", "transition", "overdue"]
    from_state: str | None
    to_state: str
    reason: str
    due_date: date | None


class CaseOut(BaseModel):
    case_id: str
    kind: Literal["enforcement", "renewal_guidance"]
    parcel_id: str
    street: str
    holder_uscc: str | None
    state: str
    opened_at: datetime
    due_date: date | None = Field(description="Comply-by date of the current state (Beijing time).")
    closed_at: datetime | None
    overdue: bool
    allowed_transitions: list[str]


class CaseDetail(CaseOut):
    timeline: list[TimelineEntryOut]


class CasePage(BaseModel):
    items: list[CaseOut]
    total: int = Field(description="how many match the filters, on every page")
    limit: int
    offset: int = Field(description="deprecated: the `offset` asked for", json_schema_extra={"deprecated": True})
    next: str | None = Field(description="pass as `after` for the next page; null on the last")


class TransitionIn(_In):
    to: CaseState
    reason: str = Field(description="Why the case moves: recorded in its timeline and event.")
    due_date: date | None = Field(None, description="Comply-by date; default from the configured periods.")
    expected_state: CaseState | None = Field(None, description="Refuse (409) if the case is no longer here.")


class TaskOut(BaseModel):
    task_id: str
    parcel_id: str
    street: str
    suspected_uscc: str
    reason: str
    filing_id: str = Field(description="the filing that gave rise to the task; empty when a lease did")
    lease_id: str | None = Field(default=None, description="the unapproved lease that gave rise to the task")
    year: int
    reports: int
    status: Literal["open", "done", "withdrawn"] = Field(
        description="open; done by an inspection of the parcel; or withdrawn by the approval of the lease it is about")
    created_at: datetime
    last_reported_at: datetime
    done_at: datetime | None = Field(description="when the task was done or withdrawn")
    done_by_inspection_id: str | None
    street_name: str = Field(description="The street's or town's name (Chinese; English under Accept-Language: en).")
    parcel_name: str | None = Field(default=None, description="null until the registry has reported the parcel")
    parcel_address: str | None = Field(default=None, description="null until the registry reports an address")
    holder_uscc: str | None = None
    holder_name: str | None = None
    why: str = Field(description="Why the task exists and what to do, in the reader's language (Chinese first); "
                                 "a withdrawn task says first which approval withdrew it.")
    approval_lease_id: str | None = Field(default=None, description="the approved lease that withdrew the task")
    approval_ref: str | None = Field(default=None, description="that approval's document number")
    approval_date: date | None = Field(default=None, description="that approval's date")


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int = Field(description="how many match the filters, on every page")
    limit: int
    offset: int = Field(description="deprecated: the `offset` asked for", json_schema_extra={"deprecated": True})
    next: str | None = Field(description="pass as `after` for the next page; null on the last")


class StreetContactIn(_In):
    email: str | None = Field(None, max_length=254, pattern=rf"^[^@{BLANKS}]+@[^@{BLANKS}]+\.[^@{BLANKS}]+$",
                              description="where e-mail notices go")
    phone: str | None = Field(None, max_length=32, pattern=r"^\+?[0-9 -]{5,31}$",
                              description="for SMS notices (when that channel is connected)")


class StreetContactOut(BaseModel):
    street: str = Field(description="the street's or town's code")
    email: str | None
    phone: str | None
    updated_at: datetime


class NoticeOut(BaseModel):
    notice_id: str
    recipient: str = Field(description="the street's or town's code")
    kind: Literal["inspection_task", "task_withdrawn"] = Field(
        description="a new inspection task, or the withdrawal of one (its lease approved: no visit is needed)")
    parcel_id: str | None
    task_id: str | None
    subject: str
    body: str = Field(description="in Chinese: what happened, why, what to do, by when")
    respond_by: date | None = Field(description="the last day to inspect (working days on China's official "
                                                "calendar); null while that year's calendar is not published, "
                                                "and for a withdrawal")
    created_at: datetime
    status: Literal["pending", "sent", "failed"]
    delivered: bool
    sent_at: datetime | None
    channel: str | None
    attempts: int
    last_error: str | None


class NoticesOut(BaseModel):
    recipient: str | None = Field(description="the street's or town's code; null: every street's (staff)")
    items: list[NoticeOut]
    next: int | None = Field(description="pass as `after` for the next (older) page; null on the last")
