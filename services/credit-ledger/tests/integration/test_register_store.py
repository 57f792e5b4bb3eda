"""The benefits register writes only what changed since it was read, and what it stores is what
was saved: standings and entitlements added, changed and dropped, for several enterprises at once,
with one enterprise left untouched."""

from __future__ import annotations

from dataclasses import replace

import pytest

from credit_ledger.adapters.register_repository import RegisterRepository
from credit_ledger.domain.benefits import EnterpriseBenefits, Held
from credit_ledger.domain.entitlements import Entitlement, Standing
from credit_ledger.domain.grades import Grade
from credit_ledger.domain.penetration import Relation

from .conftest import T0, World, ref, uscc

pytestmark = pytest.mark.infra


def _standing(parcel: str, grade: Grade | None, relation: Relation = Relation.HOLDER) -> Standing:
    return Standing(parcel, relation, f"holds {parcel}", grade, T0 if grade else None, 2024 if grade else None)


def _held(kind: Entitlement, *grounds: str) -> Held:
    return Held(kind, T0, f"grounds {', '.join(grounds)}", tuple(grounds))


async def test_what_is_saved_over_what_was_read_is_what_is_read_back(world: World) -> None:
    a, b, c, keep = sorted(uscc() for _ in range(4))
    p1, p2, p3 = (ref("P") for _ in range(3))
    first = {
        a: EnterpriseBenefits(a, {p1: _standing(p1, Grade.A), p2: _standing(p2, Grade.B)},
                              {Entitlement.GREEN_CHANNEL: _held(Entitlement.GREEN_CHANNEL, p1)}),
        b: EnterpriseBenefits(b, {p3: _standing(p3, Grade.D)}, {Entitlement.RESTRICTED: _held(Entitlement.RESTRICTED, p3)}),
        keep: EnterpriseBenefits(keep, {p1: _standing(p1, Grade.A, Relation.EQUITY_LINKED)}),
    }
    async with world.db.transaction() as session:
        await RegisterRepository(session).save(first.values(), before={})
    async with world.db.transaction() as session:
        loaded = await RegisterRepository(session).load([a, b, c, keep])
    assert loaded == first

    second = {
        a: EnterpriseBenefits(a, {p1: replace(first[a].standings[p1], pending_grade=Grade.C, pending_at=T0),
                                  p3: _standing(p3, None, Relation.PERSON_AFFILIATE)},   # p2 dropped, p3 new
                              {Entitlement.SERVICE_GUIDANCE: _held(Entitlement.SERVICE_GUIDANCE, p1)}),
        b: EnterpriseBenefits(b),  # nothing left
        c: EnterpriseBenefits(c, {p2: _standing(p2, Grade.B)}, {Entitlement.INCENTIVE_PRIORITY:
                                                              _held(Entitlement.INCENTIVE_PRIORITY, p2)}),
    }
    async with world.db.transaction() as session:
        await RegisterRepository(session).save(second.values(), before=loaded)
    async with world.db.transaction() as session:
        again = await RegisterRepository(session).load([a, b, c, keep])
    assert again == {a: second[a], c: second[c], keep: first[keep]}
