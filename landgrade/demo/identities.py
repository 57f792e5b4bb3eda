"""Identifiers with valid check characters (via `landgrade_reference`), so the registry accepts
every demo row. They are random, not real: a collision with a real code would be chance."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from landgrade_reference.resident_ids import resident_id_check_character
from landgrade_reference.uscc import ALPHABET, with_check_character

# Registration authorities: E-Town's own, Daxing, Tongzhou (USCC characters 3-8).
REGIONS = ("110302", "110115", "110112")
# Where responsible persons were registered at birth: mostly Beijing, some from other provinces.
BIRTH_REGIONS = ("110115", "110112", "110105", "110108", "130102", "370102", "410105", "320106")


def uscc(rng: random.Random) -> str:
    body = "91" + rng.choice(REGIONS) + "".join(rng.choice(ALPHABET) for _ in range(9))
    return with_check_character(body)


def resident_id(rng: random.Random, region: str = "110115") -> str:
    born = date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
    first17 = region + born.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    return first17 + resident_id_check_character(first17)


def person_id(rng: random.Random) -> str:
    return resident_id(rng, rng.choice(BIRTH_REGIONS))


class Identities:
    """USCCs and ID numbers, each given out once."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._taken: set[str] = set()

    def uscc(self) -> str:
        return self._new(uscc)

    def resident_id(self) -> str:
        return self._new(person_id)

    def _new(self, make: Callable[[random.Random], str]) -> str:
        while True:
            value = make(self._rng)
            if value not in self._taken:
                self._taken.add(value)
                return value
