"""Rulesets to and from plain JSON-able dicts (Decimals as strings), so they are stored as data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from evaluation.domain.grades import Grade
from evaluation.domain.ruleset import (
    Clause,
    CommitmentRule,
    GapSettings,
    OutlookSettings,
    OutputAggregation,
    Ruleset,
    RulesetError,
    Thresholds,
    UnattributedFiling,
    UnnamedViolations,
    YearHolder,
)

E = TypeVar("E", bound=StrEnum)
UNNAMED_KINDS = ("illegal_construction", "non_industrial_use")


def ruleset_to_dict(ruleset: Ruleset) -> dict[str, Any]:
    gaps = ruleset.gaps
    return {
        "id": ruleset.id,
        "name": ruleset.name,
        "description": ruleset.description,
        "effective_from": ruleset.effective_from.isoformat(),
        "effective_to": ruleset.effective_to.isoformat() if ruleset.effective_to else None,
        "thresholds": {
            "output_per_ha": format(ruleset.thresholds.output_per_ha, "f"),
            "tax_per_ha": format(ruleset.thresholds.tax_per_ha, "f"),
        },
        "gaps": {
            "lease_guidance_pending_grade": gaps.lease_guidance_pending_grade.value,
            "equity_linked_refusal_grade": gaps.equity_linked_refusal_grade.value,
            "no_filing_grade": gaps.no_filing_grade.value,
            "parcel_output_aggregation": gaps.parcel_output_aggregation.value,
            "unattributed_filing": gaps.unattributed_filing.value,
            "renewal_without_commitment_grade": gaps.renewal_without_commitment_grade.value,
            "contract_breach_grade": gaps.contract_breach_grade.value,
            "contract_breach_opens_review_case": gaps.contract_breach_opens_review_case,
        },
        "renewal_commitment_rule": ruleset.renewal_commitment_rule.value,
        "equity_link_search_depth": ruleset.equity_link_search_depth,
        "year_holder": ruleset.year_holder.value,
        "objection_window_days": ruleset.objection_window_days,
        "objection_window_min_days": ruleset.objection_window_min_days,
        "unnamed_violations": {
            kind: getattr(ruleset.unnamed_violations, kind).value for kind in UNNAMED_KINDS
        },
        "outlook": {
            "warn_from_quarter": ruleset.outlook.warn_from_quarter,
            "min_history_years": ruleset.outlook.min_history_years,
            "min_share": format(ruleset.outlook.min_share, "f"),
            "range_widening": format(ruleset.outlook.range_widening, "f"),
        },
        "clauses": {cid: {"zh": c.zh, "en": c.en} for cid, c in sorted(ruleset.clauses.items())},
    }


def ruleset_from_dict(doc: dict[str, Any]) -> Ruleset:
    """Validate and build a ruleset; a RulesetError names the first bad field."""
    if not isinstance(doc, dict):
        raise RulesetError("$", "a ruleset is a JSON object")
    gaps_doc = _section(doc, "gaps")
    unnamed_doc = _section(doc, "unnamed_violations")
    defaults = GapSettings()
    gaps = GapSettings(
        lease_guidance_pending_grade=_enum(gaps_doc, "gaps.lease_guidance_pending_grade", Grade,
                                           defaults.lease_guidance_pending_grade),
        equity_linked_refusal_grade=_enum(gaps_doc, "gaps.equity_linked_refusal_grade", Grade,
                                          defaults.equity_linked_refusal_grade),
        no_filing_grade=_enum(gaps_doc, "gaps.no_filing_grade", Grade, defaults.no_filing_grade),
        parcel_output_aggregation=_enum(gaps_doc, "gaps.parcel_output_aggregation", OutputAggregation,
                                        defaults.parcel_output_aggregation),
        unattributed_filing=_enum(gaps_doc, "gaps.unattributed_filing", UnattributedFiling,
                                  defaults.unattributed_filing),
        renewal_without_commitment_grade=_enum(gaps_doc, "gaps.renewal_without_commitment_grade", Grade,
                                               defaults.renewal_without_commitment_grade),
        contract_breach_grade=_enum(gaps_doc, "gaps.contract_breach_grade", Grade,
                                    defaults.contract_breach_grade),
        contract_breach_opens_review_case=_bool(gaps_doc, "gaps.contract_breach_opens_review_case",
                                                defaults.contract_breach_opens_review_case),
    )
    if gaps.no_filing_grade is Grade.A:
        raise RulesetError("gaps.no_filing_grade", "output and tax count as 0, so A is impossible")
    unnamed = {}
    for kind in UNNAMED_KINDS:
        unnamed[kind] = _enum(unnamed_doc, f"unnamed_violations.{kind}", Grade, Grade.D)
        if unnamed[kind] in (Grade.A, Grade.B):
            raise RulesetError(f"unnamed_violations.{kind}", "these violations block A and B: use C or D")
    ruleset = Ruleset(
        id=_text(doc, "id"),
        name=_text(doc, "name"),
        description=str(doc.get("description") or ""),
        effective_from=_date(doc, "effective_from"),
        effective_to=_date(doc, "effective_to") if doc.get("effective_to") else None,
        thresholds=Thresholds(
            output_per_ha=_money(_section(doc, "thresholds"), "thresholds.output_per_ha"),
            tax_per_ha=_money(_section(doc, "thresholds"), "thresholds.tax_per_ha"),
        ),
        gaps=gaps,
        renewal_commitment_rule=_enum(doc, "renewal_commitment_rule", CommitmentRule, CommitmentRule.BOTH),
        equity_link_search_depth=_int(doc, "equity_link_search_depth", 3, 1, 10),
        year_holder=_enum(doc, "year_holder", YearHolder, YearHolder.LAST_DAY),
        objection_window_days=_int(doc, "objection_window_days", 5, 1, 365),
        objection_window_min_days=_int(doc, "objection_window_min_days", 5, 1, 365),
        unnamed_violations=UnnamedViolations(**unnamed),
        outlook=_outlook(_section(doc, "outlook")),
        clauses=_clauses(doc.get("clauses", {})),
    )
    if ruleset.objection_window_days < ruleset.objection_window_min_days:
        raise RulesetError("objection_window_days", "at least objection_window_min_days")
    if ruleset.effective_to and ruleset.effective_to < ruleset.effective_from:
        raise RulesetError("effective_to", "ends before effective_from")
    return ruleset


def with_changes(ruleset: Ruleset, changes: dict[str, Any]) -> Ruleset:
    """A copy with some settings changed (what-if), validated like any ruleset document."""
    return ruleset_from_dict(_merge(ruleset_to_dict(ruleset), changes))


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _section(doc: dict[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise RulesetError(name, "must be an object")
    return value


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _text(doc: dict[str, Any], path: str) -> str:
    value = doc.get(_leaf(path))
    if not isinstance(value, str) or not value.strip():
        raise RulesetError(path, "a non-empty string is required")
    return value


def _enum(doc: dict[str, Any], path: str, kind: type[E], default: E) -> E:
    value = doc.get(_leaf(path), default.value)
    try:
        return kind(value)
    except ValueError:
        raise RulesetError(path, f"one of {[m.value for m in kind]}") from None


def _bool(doc: dict[str, Any], path: str, default: bool) -> bool:
    value = doc.get(_leaf(path), default)
    if not isinstance(value, bool):
        raise RulesetError(path, "true or false")
    return value


def _whole(value: Any) -> Any:
    """A JSON integer as an int: JSON (and JSON Schema) count 5.0 an integer, as 5."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _int(doc: dict[str, Any], path: str, default: int, low: int, high: int) -> int:
    value = _whole(doc.get(_leaf(path), default))
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RulesetError(path, f"an integer from {low} to {high}")
    return value


def _money(doc: dict[str, Any], path: str) -> Decimal:
    value = _whole(doc.get(_leaf(path)))
    try:
        amount = Decimal(str(value)) if isinstance(value, (str, int)) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise RulesetError(path, "a non-negative decimal amount of CNY (string or integer)")
    return amount


def _date(doc: dict[str, Any], path: str) -> date:
    try:
        return date.fromisoformat(str(doc.get(path)))
    except ValueError:
        raise RulesetError(path, "an ISO date (YYYY-MM-DD)") from None


def _outlook(doc: dict[str, Any]) -> OutlookSettings:
    defaults = OutlookSettings()
    return OutlookSettings(
        # Q4 is the year itself: a warning from Q1 to Q3 only.
        warn_from_quarter=_int(doc, "outlook.warn_from_quarter", defaults.warn_from_quarter, 1, 3),
        min_history_years=_int(doc, "outlook.min_history_years", defaults.min_history_years, 1, 20),
        # A share of 0 would divide the year so far by nothing.
        min_share=_fraction(doc, "outlook.min_share", defaults.min_share, positive=True),
        range_widening=_fraction(doc, "outlook.range_widening", defaults.range_widening),
    )


def _fraction(doc: dict[str, Any], path: str, default: Decimal, positive: bool = False) -> Decimal:
    value = doc.get(_leaf(path), format(default, "f"))
    try:
        amount = Decimal(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    # A share of 1 (or a range moved out by all of itself) leaves nothing to project from.
    if amount is None or not amount.is_finite() or not 0 <= amount < 1 or (positive and amount == 0):
        low = "above 0" if positive else "from 0"
        raise RulesetError(path, f"a decimal {low} up to (not including) 1, as a string")
    return amount


def _clauses(doc: Any) -> dict[str, Clause]:
    if not isinstance(doc, dict):
        raise RulesetError("clauses", "an object keyed by clause id")
    clauses = {}
    for cid, text in doc.items():
        if not isinstance(text, dict) or not all(isinstance(text.get(k), str) for k in ("zh", "en")):
            raise RulesetError(f"clauses.{cid}", "needs 'zh' and 'en' texts")
        clauses[cid] = Clause(zh=text["zh"], en=text["en"])
    return clauses
