"""The demo's enterprises as the business registry reports them: responsible persons (some of
whom run several enterprises, which makes those related parties), and shareholders that form
corporate groups with equity chains of two or three levels (group → subsidiary → its own
subsidiary). Shares are percentages; an enterprise's shares add up to at most 100."""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from landgrade.demo.identities import Identities
from landgrade.demo.names import CompanyNamer, person_name

MAX_DEPTH = 3  # a group's root is level 1; its subsidiaries' subsidiaries are level 3
Row = dict[str, Any]


class Enterprises:
    """Makes enterprises on demand; each call returns the new rows (an enterprise before any row
    that names it) and the USCC to use."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._ids = Identities(rng)
        self._names = CompanyNamer(rng)
        self._people: deque[dict[str, str]] = deque(maxlen=200)
        # Enterprises that may take subsidiaries (level below MAX_DEPTH): (uscc, name, level), the
        # most recent ones.
        self._parents: deque[tuple[str, str, int]] = deque(maxlen=300)
        self.levels: dict[str, int] = {}
        self.parent_of: dict[str, tuple[str, str, int] | None] = {}

    def holder(self, industry: str) -> tuple[list[Row], str]:
        """A rights holder: on its own, a subsidiary in an existing group, or the first
        subsidiary of a new group."""
        rng, rows = self._rng, []
        parent: tuple[str, str, int] | None = None
        draw = rng.random()
        if draw < 0.07:
            root = self._make(self._names.group(), None)
            rows.append(root)
            parent = (root["uscc"], root["name"], 1)
        elif draw < 0.30:
            parent = rng.choice(self._parents) if self._parents else None
        row = self._make(self._names.enterprise(industry), parent)
        return [*rows, row], row["uscc"]

    def tenant(self, industry: str, owned_by: tuple[str, str] | None = None) -> tuple[list[Row], str]:
        """A tenant or occupant: independent, or (`owned_by`: uscc, name) part-owned by a holder;
        when the holder is already at the deepest level, by the holder's parent (a sister company)."""
        parent = (owned_by[0], owned_by[1], self.levels.get(owned_by[0], 1)) if owned_by else None
        while parent is not None and parent[2] >= MAX_DEPTH:
            parent = self.parent_of[parent[0]]
        row = self._make(self._names.enterprise(industry), parent, share=self._rng.randint(30, 70) if parent else None)
        return [row], row["uscc"]

    def _person(self) -> dict[str, str]:
        if self._people and self._rng.random() < 0.12:  # runs another enterprise too
            return self._rng.choice(self._people)
        person = {"name": person_name(self._rng), "id_number": self._ids.resident_id()}
        self._people.append(person)
        return person

    def _make(self, name: str, parent: tuple[str, str, int] | None, share: int | None = None) -> Row:
        rng = self._rng
        code = self._ids.uscc()
        person = self._person()
        shareholders: list[Row] = []
        remaining = 100
        if parent is not None:
            held = share if share is not None else rng.choice((51, 60, 70, 80, 100, 100))
            shareholders.append({"kind": "enterprise", "uscc": parent[0], "name": parent[1], "share_pct": str(held)})
            remaining -= held
        if remaining > 0:
            mine = remaining if rng.random() < 0.5 or remaining < 20 else rng.randint(remaining // 2, remaining - 5)
            shareholders.append({"kind": "person", "name": person["name"], "id_number": person["id_number"],
                                 "share_pct": str(mine)})
            if remaining - mine > 0:
                other = self._person()
                if other["id_number"] != person["id_number"]:
                    shareholders.append({"kind": "person", "name": other["name"], "id_number": other["id_number"],
                                         "share_pct": str(remaining - mine)})
        level = 1 if parent is None else parent[2] + 1
        self.levels[code] = level
        self.parent_of[code] = parent
        if level < MAX_DEPTH:
            self._parents.append((code, name, level))
        return {
            "uscc": code, "name": name, "status": "active",
            "responsible_persons": [{"name": person["name"], "role": "legal_representative",
                                     "id_number": person["id_number"]}],
            "shareholders": shareholders,
        }
