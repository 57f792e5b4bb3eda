"""Request and response bodies of the HTTP API (the v1 contract for inspection apps and staff)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from enforcement.domain.case_states import CaseState
from enforcement.domain.inspections import FindingType, HolderAttitude
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
    type: FindingType
    tenant_uscc: Uscc = Field(None, description="Required for unauthorised_lease: the tenant's USCC; "
                                                "any spelling (lower case, blanks, full width) is normalised.")
    holder_attitude: HolderAttitude = HolderAttitude.UNDETERMINED
    note: str | None = None


class InspectionIn(_In):
    inspection_id: str = Field(description="The app's own id; re-sending it is a no-op.")
    parcel_id: str
    inspected_at: datetime = Field(description="When the inspector was on site, with a time zone offset.")
    inspector: str = Field(description="Name or staff number of the inspector on site.")
    findings: list[FindingIn]


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
    status: Literal["recorded", "pending", "refused"] = Field(default="recorded", description=(
        "pending: the registry has not reported the parcel yet; the inspection is kept and recorded "
        "when it does (nothing to re-send). refused: the parcel arrived outside the poster's area (`refusal`)."))
    parcel_id: str
    street: str | None = Field(description="The parcel's street or town; null while pending.")
    inspected_at: datetime
    inspector: str
    submitted_by: str
    recorded_at: datetime = Field(description="When the service received the inspection.")
    findings: list[FindingOut]
    evidence: list[EvidenceOut]
    refusal: str | None = None


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
    total: int
    limit: int
    offset: int


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
    filing_id: str
    year: int
    reports: int
    status: Literal["open", "done"]
    created_at: datetime
    last_reported_at: datetime
    done_at: datetime | None
    done_by_inspection_id: str | None
    street_name: str = Field(description="The street's or town's name (Chinese; English under Accept-Language: en).")
    parcel_name: str | None = Field(default=None, description="null until the registry has reported the parcel")
    parcel_address: str | None = Field(default=None, description="null until the registry reports an address")
    holder_uscc: str | None = None
    holder_name: str | None = None
    why: str = Field(description="Why the task exists and what to do, in the reader's language (Chinese first).")


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int
    limit: int
    offset: int
