"""Inspections by street offices and towns, and the findings they report.

An inspection is what an inspector saw on one parcel at one moment. Its findings
feed the evaluation: an unauthorised lease (出租 without the Administrative
Committee's approval) with the rights holder's attitude decides between C
(cooperating with renewal) and D (refuses to correct); litigation, abandonment
and industrial-to-residential conversion are D conditions on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from enforcement.domain.errors import FieldError, InvalidInput, OutsideJurisdiction
from enforcement.domain.evidence import Evidence
from landgrade_reference.jurisdictions import same_jurisdiction
from landgrade_reference.uscc import InvalidUscc, parse_uscc, uscc_problems


class FindingType(StrEnum):
    UNAUTHORISED_LEASE = "unauthorised_lease"
    NON_INDUSTRIAL_USE = "non_industrial_use"
    ILLEGAL_CONSTRUCTION = "illegal_construction"
    RESIDENTIAL_CONVERSION = "residential_conversion"
    ABANDONED = "abandoned"
    LITIGATION = "litigation"
    RECTIFIED = "rectified"
    NO_ISSUE = "no_issue"


class HolderAttitude(StrEnum):
    COOPERATING_WITH_RENEWAL = "cooperating_with_renewal"
    REFUSES_TO_CORRECT = "refuses_to_correct"
    UNDETERMINED = "undetermined"


# Findings that describe the whole parcel's state; mixing them with a violation
# would tell the evaluation two contradictory things in one visit.
STANDALONE_FINDINGS = frozenset({FindingType.RECTIFIED, FindingType.NO_ISSUE})
VIOLATIONS = frozenset(FindingType) - STANDALONE_FINDINGS

INSPECTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
MAX_NOTE_CHARS = 4000
MAX_FINDINGS = 50


@dataclass(frozen=True)
class Finding:
    type: FindingType
    holder_attitude: HolderAttitude = HolderAttitude.UNDETERMINED
    tenant_uscc: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Inspection:
    inspection_id: str
    parcel_id: str
    inspected_at: datetime
    inspector: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.type in VIOLATIONS)


def finding_id(inspection_id: str, position: int) -> str:
    """A finding's id: its inspection's id and its 1-based position, stable across re-sends."""
    return f"{inspection_id}#{position}"


@dataclass(frozen=True)
class InspectionRecord:
    """An inspection as recorded: the street it was checked against, who sent it, its evidence."""

    inspection: Inspection
    street: str
    submitted_by: str
    recorded_at: datetime
    evidence: tuple[Evidence, ...] = ()


def new_inspection(
    *,
    inspection_id: str,
    parcel_id: str,
    inspected_at: datetime,
    inspector: str,
    findings: list[Finding],
    now: datetime,
    clock_skew: timedelta = timedelta(minutes=10),
) -> Inspection:
    """Build a valid inspection or raise InvalidInput listing every problem found."""
    errors: list[FieldError] = []
    if not INSPECTION_ID.match(inspection_id or ""):
        errors.append(FieldError("inspection_id", "1-128 of letters, digits, . _ : - (first a letter/digit)",
                                 "应为 1–128 个字母、数字或 . _ : -（以字母或数字开头）"))
    if not (parcel_id or "").strip():
        errors.append(FieldError("parcel_id", "required", "必填"))
    if not (inspector or "").strip():
        errors.append(FieldError("inspector", "required", "必填"))
    if inspected_at.tzinfo is None:
        errors.append(FieldError("inspected_at", "must carry a time zone offset", "须带时区偏移"))
    elif inspected_at > now + clock_skew:
        errors.append(FieldError("inspected_at", "lies in the future", "检查时间不能晚于现在"))
    cleaned = [_clean(f) for f in findings]
    errors.extend(_finding_errors(cleaned))
    if errors:
        raise InvalidInput(errors)
    return Inspection(inspection_id, parcel_id.strip(), inspected_at, inspector.strip(), tuple(cleaned))


def _clean(finding: Finding) -> Finding:
    uscc = _normalised_uscc(finding.tenant_uscc.strip()) if finding.tenant_uscc else None
    note = finding.note.strip() if finding.note else None
    return Finding(finding.type, finding.holder_attitude, uscc or None, note or None)


def _normalised_uscc(raw: str) -> str:
    """A valid tenant USCC as `parse_uscc` normalises it, so one tenant has one spelling in the
    database, in FindingRecorded and in the duplicate check below; an invalid one stays as typed
    and `_finding_errors` refuses the whole inspection with its reasons (nothing invalid is stored)."""
    try:
        return parse_uscc(raw)
    except InvalidUscc:
        return raw.upper()


def _finding_errors(findings: list[Finding]) -> list[FieldError]:
    if not findings:
        return [FieldError("findings", "at least one finding (use no_issue for a clean visit)",
                           "至少一项检查发现（未发现问题时填 no_issue）")]
    if len(findings) > MAX_FINDINGS:
        return [FieldError("findings", f"at most {MAX_FINDINGS} findings per inspection",
                           f"一次检查最多 {MAX_FINDINGS} 项发现")]
    errors: list[FieldError] = []
    types = [f.type for f in findings]
    for i, f in enumerate(findings):
        path = f"findings[{i}]"
        if f.type in STANDALONE_FINDINGS and len(findings) > 1:
            errors.append(FieldError(f"{path}.type", f"{f.type} must be the only finding of an inspection",
                                     f"{f.type} 只能作为唯一的检查发现"))
        if f.type is FindingType.UNAUTHORISED_LEASE and not f.tenant_uscc:
            errors.append(FieldError(f"{path}.tenant_uscc", "required for an unauthorised_lease finding",
                                     "未经批准出租须填写承租企业的统一社会信用代码"))
        elif f.tenant_uscc and (problems := uscc_problems(f.tenant_uscc)):
            errors.append(FieldError(f"{path}.tenant_uscc", "; ".join(problems),
                                     "不是有效的统一社会信用代码：" + "; ".join(problems)))
        if f.type in STANDALONE_FINDINGS and f.holder_attitude is not HolderAttitude.UNDETERMINED:
            errors.append(FieldError(f"{path}.holder_attitude", f"not applicable to {f.type}",
                                     f"不适用于 {f.type}"))
        repeated = types.index(f.type) < i
        if f.type is not FindingType.UNAUTHORISED_LEASE and repeated:
            errors.append(FieldError(f"{path}.type", f"{f.type} reported twice; merge the notes",
                                     f"{f.type} 重复填报，请合并说明"))
        if f.note and len(f.note) > MAX_NOTE_CHARS:
            errors.append(FieldError(f"{path}.note", f"at most {MAX_NOTE_CHARS} characters",
                                     f"最多 {MAX_NOTE_CHARS} 个字符"))
    tenants = [f.tenant_uscc for f in findings if f.type is FindingType.UNAUTHORISED_LEASE and f.tenant_uscc]
    for uscc in sorted({t for t in tenants if tenants.count(t) > 1}):
        errors.append(FieldError("findings", f"unauthorised lease to {uscc} reported twice",
                                 f"向 {uscc} 未经批准出租重复填报"))
    return errors


def ensure_in_jurisdiction(jurisdiction: str | None, parcel_id: str, parcel_street: str | None) -> None:
    """A street office or town may only report on parcels in its own street/town."""
    if not jurisdiction:
        raise OutsideJurisdiction("the token carries no jurisdiction; inspections are bound to one",
                                  "令牌未绑定街道或镇，检查记录只能由所属街道或镇提交")
    if not same_jurisdiction(jurisdiction, parcel_street):
        raise OutsideJurisdiction(f"parcel {parcel_id} is not in the jurisdiction {jurisdiction!r}",
                                  f"地块 {parcel_id} 不在 {jurisdiction} 辖区内")
