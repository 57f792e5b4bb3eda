"""The ruleset document as the OpenAPI document states it: every setting `ruleset_codec` reads, with
the values it takes, so that a client built from the schema sends a document the service accepts.
What no JSON Schema can state (one setting compared with another) is listed in `RULESET_RULES`."""

from __future__ import annotations

from typing import Any

from evaluation.domain.grades import Grade
from evaluation.domain.ruleset import CommitmentRule, OutputAggregation, UnattributedFiling, YearHolder

_NO_NUL = "^[^\\u0000]*$"
_MONEY = {"anyOf": [{"type": "integer", "minimum": 0},
                    {"type": "string", "pattern": "^[0-9]{1,15}(\\.[0-9]{1,4})?$"}],
          "description": "a non-negative decimal amount of CNY: a whole number or a decimal string"}
# A fraction from 0 up to (not including) 1, as a string; `min_share` is above 0.
_FRACTION = {"type": "string", "pattern": "^0(\\.[0-9]{1,6})?$"}
_POSITIVE_FRACTION = {"type": "string", "pattern": "^0\\.[0-9]{0,5}[1-9]$"}


def _grades(*letters: str) -> dict[str, Any]:
    return {"type": "string", "enum": [g.value for g in Grade if g.value in letters] if letters
            else [g.value for g in Grade]}


def _values(kind: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [member.value for member in kind]}


def _days(low: int, high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


_SETTINGS: dict[str, Any] = {
    "description": {"type": "string"},
    "effective_to": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
    "gaps": _object({
        "lease_guidance_pending_grade": _grades(),
        "equity_linked_refusal_grade": _grades(),
        # Without filings output and tax count as 0: A is out of reach.
        "no_filing_grade": _grades("B", "C", "D"),
        "parcel_output_aggregation": _values(OutputAggregation),
        "unattributed_filing": _values(UnattributedFiling),
        "renewal_without_commitment_grade": _grades(),
        "contract_breach_grade": _grades(),
        "contract_breach_opens_review_case": {"type": "boolean"},
    }),
    "renewal_commitment_rule": _values(CommitmentRule),
    "equity_link_search_depth": _days(1, 10),
    "year_holder": _values(YearHolder) | {"description": "who answers for a year the land-use right changed hands"},
    "objection_window_days": _days(1, 365),
    "objection_window_min_days": _days(1, 365),
    # These violations block A and B.
    "unnamed_violations": _object({"illegal_construction": _grades("C", "D"),
                                   "non_industrial_use": _grades("C", "D")}),
    "outlook": _object({"warn_from_quarter": _days(1, 3), "min_history_years": _days(1, 20),
                        "min_share": _POSITIVE_FRACTION, "range_widening": _FRACTION}),
    "clauses": {"type": "object", "propertyNames": {"pattern": _NO_NUL},
                "additionalProperties": _object({"zh": {"type": "string"}, "en": {"type": "string"}}, ["zh", "en"]),
                "description": "clause texts by clause id"},
}
_THRESHOLDS = {"output_per_ha": _MONEY, "tax_per_ha": _MONEY}

# `id` and `name` are the request's own fields, never the document's.
RULESET_DOCUMENT: dict[str, Any] = _object(
    {"effective_from": {"type": "string", "format": "date"}, "thresholds": _object(_THRESHOLDS, list(_THRESHOLDS)),
     **_SETTINGS}, ["effective_from", "thresholds"])
RULESET_DOCUMENT["description"] = "a whole ruleset: thresholds, gap settings, clause texts"
# Changes are laid over a stored ruleset: the same settings, none required.
RULESET_CHANGES: dict[str, Any] = _object(
    {"effective_from": {"type": "string", "format": "date"}, "thresholds": _object(_THRESHOLDS), **_SETTINGS})
RULESET_CHANGES["description"] = "settings to change, shaped like the ruleset document"

# One setting compared with another (after changes are laid over the stored ruleset): beyond JSON
# Schema. Each names the field its refusal (422 `invalid-ruleset`) names.
RULESET_RULES: list[dict[str, Any]] = [
    {"fields": ["objection_window_days"],
     "zh": "objection_window_days 不得少于 objection_window_min_days（未给出时各为 5）",
     "en": "objection_window_days is at least objection_window_min_days (each 5 when not given)"},
    {"fields": ["effective_to"], "zh": "effective_to 不得早于 effective_from",
     "en": "effective_to is not before effective_from"},
]
