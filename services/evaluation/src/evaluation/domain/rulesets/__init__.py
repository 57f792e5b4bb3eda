"""Seed rulesets shipped with the service as JSON documents (read on demand, never at import)."""

from __future__ import annotations

import json
from importlib import resources

from evaluation.domain.ruleset import Ruleset
from evaluation.domain.ruleset_codec import ruleset_from_dict

SEED_RULESET_IDS: tuple[str, ...] = ("etown-2024-draft",)
DEFAULT_RULESET_ID = "etown-2024-draft"


def seed_ruleset_document(ruleset_id: str = DEFAULT_RULESET_ID) -> dict[str, object]:
    if ruleset_id not in SEED_RULESET_IDS:
        raise KeyError(ruleset_id)
    text = resources.files(__package__).joinpath(f"{ruleset_id}.json").read_text(encoding="utf-8")
    document: dict[str, object] = json.loads(text)
    return document


def load_seed_ruleset(ruleset_id: str = DEFAULT_RULESET_ID) -> Ruleset:
    """The seeded E-Town 2024 draft (or another shipped seed) as a validated Ruleset."""
    return ruleset_from_dict(seed_ruleset_document(ruleset_id))
