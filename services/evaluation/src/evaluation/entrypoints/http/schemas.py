"""Request bodies of the evaluation API (responses are plain JSON documents)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

GradeLetter = Literal["A", "B", "C", "D"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunRequest(_Body):
    year: int = Field(ge=2000, le=2100)
    ruleset_id: str | None = Field(None, description="default: the ruleset in force for the year")


class PublishRequest(_Body):
    objection_window_days: int | None = Field(None, ge=0, le=365,
                                              description="default: the ruleset's objection_window_days")


class RulesetRequest(_Body):
    """A whole ruleset document, or `based_on` an existing ruleset with `changes` (same shape)."""

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    based_on: str | None = None
    changes: dict[str, Any] = Field(default_factory=dict)
    document: dict[str, Any] | None = None


class SimulationRequest(_Body):
    year: int = Field(ge=2000, le=2100)
    changes: dict[str, Any] = Field(description="settings to change, shaped like the ruleset document, e.g. "
                                                "{\"thresholds\": {\"output_per_ha\": \"250000000\"}}")
    limit: int = Field(100, ge=0, le=10000, description="how many moved parcels to list")


class ObjectionRequest(_Body):
    parcel_id: str = Field(min_length=1, max_length=64)
    year: int = Field(ge=2000, le=2100)
    statement: str = Field(min_length=1, max_length=10000)
    requested_grade: GradeLetter | None = None


class DecisionRequest(_Body):
    decision: Literal["upheld", "rejected"]
    grade: GradeLetter | None = Field(None, description="the new grade when upheld")
    note: str = Field(min_length=1, max_length=10000)
