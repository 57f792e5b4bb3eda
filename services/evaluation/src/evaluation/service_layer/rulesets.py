"""Rulesets are data: added, never changed (past evaluations keep the ruleset they were graded under)."""

from __future__ import annotations

from typing import Any

from evaluation.domain.ruleset import Ruleset
from evaluation.domain.ruleset_codec import ruleset_from_dict, with_changes
from evaluation.domain.rulesets import SEED_RULESET_IDS, load_seed_ruleset
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork


class BadRulesetRequest(Exception):
    """Neither a document nor an existing ruleset to start from."""

    def __init__(self, detail: str, field: str, message: str) -> None:
        super().__init__(detail)
        self.detail, self.field, self.message = detail, field, message


class UnknownBase(Exception):
    """`based_on` names no stored ruleset: an answer about what is stored, not the request's shape."""

    def __init__(self, ruleset_id: str) -> None:
        super().__init__(ruleset_id)
        self.ruleset_id = ruleset_id


class RulesetConflict(Exception):
    """A ruleset with this id exists with other settings."""


async def add_ruleset(uow: EvaluationUnitOfWork, ruleset_id: str, name: str, *, document: dict[str, Any] | None,
                      based_on: str | None, changes: dict[str, Any], created_by: str) -> tuple[Ruleset, bool]:
    """The ruleset, and False when the same one was stored already. Raises `RulesetError` for an
    unusable document, `BadRulesetRequest` without a document or `based_on`, `UnknownBase`, and
    `RulesetConflict` when the id has other settings."""
    async with uow:
        if document is not None:
            ruleset = ruleset_from_dict({**document, "id": ruleset_id, "name": name})
        elif based_on is not None:
            base = await uow.rulesets.get(based_on)
            if base is None:
                raise UnknownBase(based_on)
            ruleset = with_changes(base, {**changes, "id": ruleset_id, "name": name})
        else:
            raise BadRulesetRequest("send a document or based_on with changes", "document",
                                    "document or based_on is required")
        if await uow.rulesets.add(ruleset, created_by):
            return ruleset, True
        if await uow.rulesets.get(ruleset.id) != ruleset:
            raise RulesetConflict(f"Ruleset {ruleset.id} exists with other settings; "
                                  "rulesets are never changed — use a new id.")
        return ruleset, False


async def seed_rulesets(uow: EvaluationUnitOfWork) -> None:
    """The rulesets the service ships with, stored once."""
    async with uow:
        for ruleset_id in SEED_RULESET_IDS:
            await uow.rulesets.add(load_seed_ruleset(ruleset_id), "seed")
