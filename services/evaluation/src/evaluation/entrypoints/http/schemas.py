"""Request bodies of the evaluation API (responses are plain JSON documents)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from evaluation.domain.identifiers import BLANKS, PARCEL_ID_SCHEMA, parcel_id_problem, surrogate_path
from evaluation.entrypoints.http.ruleset_schema import RULESET_CHANGES, RULESET_DOCUMENT

GradeLetter = Literal["A", "B", "C", "D"]
ParcelIdField = Annotated[str, Field(json_schema_extra=PARCEL_ID_SCHEMA)]
# Text with a character that is not blank (and, like all text, no NUL).
RulesetDocument = Annotated[dict[str, Any], WithJsonSchema(RULESET_DOCUMENT)]
RulesetChanges = Annotated[dict[str, Any], WithJsonSchema(RULESET_CHANGES)]
NOT_BLANK = rf"^[^\u0000]*[^\u0000{BLANKS}][^\u0000]*$"


def _no_surrogate(value: Any, where: str) -> None:
    # A lone surrogate cannot be encoded as UTF-8: stored or echoed, it would fail the request (500).
    path = surrogate_path(value)
    if path is not None:
        at = f" (at {path})" if path else ""
        raise PydanticCustomError("lone_surrogate", "{where} contains a lone surrogate{at}: not valid Unicode text",
                                  {"where": where, "at": at})


class _Body(BaseModel):
    """Every write body: no unknown fields, and no lone surrogate anywhere (keys included), each
    refused under the field that holds it before anything else reads the value."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_surrogate_in_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for position, key in enumerate(data):
                if isinstance(key, str) and surrogate_path(key) is not None:
                    raise PydanticCustomError(
                        "lone_surrogate", "field name #{position} contains a lone surrogate: not valid Unicode text",
                        {"position": position + 1})
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _no_surrogate_in_values(cls, value: Any) -> Any:
        _no_surrogate(value, "the value")
        return value


class RunRequest(_Body):
    year: int = Field(ge=2000, le=2100)
    ruleset_id: str | None = Field(None, description="default: the ruleset in force for the year")


class PublishRequest(_Body):
    objection_window_days: int | None = Field(
        None, ge=1, le=365, description="working days on China's official calendar, counted from the day after "
                                        "publication; default: the ruleset's objection_window_days; never fewer "
                                        "than its objection_window_min_days")
    published_on: date | None = Field(
        None, description="only `admin`: the day the results were published, when recording a publication made "
                          "earlier (e.g. a past year's history); the window counts from that day, never from a "
                          "day to come")


class RulesetRequest(_Body):
    """A whole ruleset document, or `based_on` an existing ruleset with `changes` (same shape)."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["document"], "properties": {"document": {"type": "object"}}},
        {"required": ["based_on"], "properties": {"based_on": {"type": "string"}}}]})

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    based_on: str | None = Field(None, description="the id of a stored ruleset the changes are laid over")
    changes: RulesetChanges = Field(default_factory=dict)
    document: RulesetDocument | None = None


class SimulationRequest(_Body):
    year: int = Field(ge=2000, le=2100)
    changes: RulesetChanges = Field(description="settings to change, shaped like the ruleset document, e.g. "
                                               "{\"thresholds\": {\"output_per_ha\": \"250000000\"}}")
    limit: int = Field(100, ge=0, le=10000, description="how many moved parcels to list")


class ObjectionRequest(_Body):
    parcel_id: ParcelIdField
    year: int = Field(ge=2000, le=2100)
    statement: str = Field(min_length=1, max_length=10000)
    requested_grade: GradeLetter | None = None

    @field_validator("parcel_id")
    @classmethod
    def _parcel_id(cls, value: str) -> str:
        if problem := parcel_id_problem(value):
            raise PydanticCustomError("parcel_id", "parcel_id {problem}", {"problem": problem})
        return value


class DecisionRequest(_Body):
    """A rejected objection changes no grade: `grade` only with `decision=upheld`."""

    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"decision": {"const": "rejected"}}, "required": ["decision"]},
        "then": {"properties": {"grade": {"type": "null"}}}})
    decision: Literal["upheld", "rejected"]
    grade: GradeLetter | None = Field(None, description="the new grade when upheld")
    note: str = Field(min_length=1, max_length=10000)


class ReEvaluationRequest(_Body):
    """Re-evaluation of a final year (重新评价): why, and optionally which parcels (default: all)."""

    year: int = Field(ge=2000, le=2100)
    reason: str = Field(min_length=2, max_length=10000, json_schema_extra={"pattern": NOT_BLANK},
                        description="why the final year is re-evaluated; kept and sent with every correction")
    parcel_ids: list[ParcelIdField] | None = Field(None, min_length=1, max_length=100000)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank_reason", "a reason is required")
        return value.strip()

    @field_validator("parcel_ids")
    @classmethod
    def _parcel_ids(cls, value: list[str] | None) -> list[str] | None:
        for position, parcel_id in enumerate(value or []):
            if problem := parcel_id_problem(parcel_id):
                raise PydanticCustomError("parcel_id", "parcel_ids.{position}: parcel_id {problem}",
                                          {"position": position, "problem": problem})
        return value
