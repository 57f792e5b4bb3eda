"""Reading and writing enterprises, their responsible persons and shareholdings."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcel_registry.adapters.person_ids import PersonIdVault
from parcel_registry.adapters.tables import enterprises, responsible_persons, shareholdings
from parcel_registry.domain.enterprises import Enterprise, ShareholderKind
from parcel_registry.domain.equity import Holding
from parcel_registry.domain.records import StoredEnterprise, enterprise_fingerprint
from parcel_registry.domain.related import Party


def _holding(row: Any) -> Holding:
    holder = Party.enterprise(row.holder_uscc) if row.kind == "enterprise" else Party.person(row.person_ref)
    return Holding(holder, row.company, Decimal(row.share_pct))


class EnterpriseRepository:
    """Enterprises of one transaction."""

    def __init__(self, session: AsyncSession, vault: PersonIdVault) -> None:
        self.session, self.vault = session, vault

    def fingerprint(self, enterprise: Enterprise) -> tuple[object, ...]:
        """What the stored copy of ``enterprise`` would compare equal to."""
        return enterprise_fingerprint(enterprise, self.vault.person_ref)

    async def lock(self, uscc: str) -> None:
        """Serialises writers of one enterprise until the transaction ends (first writes included)."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"enterprise:{uscc}"})

    async def get_enterprise(self, uscc: str) -> StoredEnterprise | None:
        row = (await self.session.execute(select(enterprises).where(enterprises.c.uscc == uscc))).mappings().first()
        if row is None:
            return None
        persons = await self.session.execute(
            select(responsible_persons)
            .where(responsible_persons.c.uscc == uscc)
            .order_by(responsible_persons.c.position)
        )
        holders = await self.session.execute(
            select(shareholdings).where(shareholdings.c.company == uscc).order_by(shareholdings.c.position)
        )
        return StoredEnterprise(dict(row), [dict(p) for p in persons.mappings()], [dict(s) for s in holders.mappings()])

    async def save_enterprise(self, e: Enterprise, version: int) -> None:
        values = {"name": e.name, "status": e.status.value, "version": version}
        if version == 1:
            await self.session.execute(insert(enterprises).values(uscc=e.uscc, **values))
        else:
            await self.session.execute(
                update(enterprises).where(enterprises.c.uscc == e.uscc).values(**values, updated_at=func.now())
            )
            await self.session.execute(delete(responsible_persons).where(responsible_persons.c.uscc == e.uscc))
            await self.session.execute(delete(shareholdings).where(shareholdings.c.company == e.uscc))
        people = []
        for position, person in enumerate(e.responsible_persons):
            protected = self.vault.protect(person.id_number)
            people.append(
                {
                    "uscc": e.uscc,
                    "position": position,
                    "name": person.name,
                    "role": person.role.value,
                    "id_ciphertext": protected.ciphertext,
                    "person_ref": protected.person_ref,
                    "id_masked": protected.masked,
                }
            )
        holders = []
        for position, holder in enumerate(e.shareholders):
            row: dict[str, Any] = {
                "company": e.uscc,
                "position": position,
                "kind": holder.kind.value,
                "name": holder.name,
                "share_pct": holder.share_pct,
                "holder_uscc": holder.uscc,
                "person_ref": None,
                "id_ciphertext": None,
                "id_masked": None,
            }
            if holder.kind is ShareholderKind.PERSON and holder.id_number:
                protected = self.vault.protect(holder.id_number)
                row |= {
                    "person_ref": protected.person_ref,
                    "id_ciphertext": protected.ciphertext,
                    "id_masked": protected.masked,
                }
            holders.append(row)
        if people:
            await self.session.execute(insert(responsible_persons), people)
        if holders:
            await self.session.execute(insert(shareholdings), holders)

    async def holdings_around(self, usccs: Iterable[str], depth: int) -> list[Holding]:
        """Every shareholding within ``depth`` steps (up or down) of the given enterprises."""
        seen_enterprises: set[str] = set(usccs)
        seen_people: set[str] = set()
        frontier_e, frontier_p = set(seen_enterprises), set[str]()
        found: dict[tuple[str, int], Holding] = {}
        for _ in range(depth):
            if not frontier_e and not frontier_p:
                break
            conditions = [shareholdings.c.company.in_(frontier_e), shareholdings.c.holder_uscc.in_(frontier_e)]
            if frontier_p:
                conditions.append(shareholdings.c.person_ref.in_(frontier_p))
            rows = (await self.session.execute(select(shareholdings).where(or_(*conditions)))).all()
            next_e, next_p = set(), set()
            for row in rows:
                found[(row.company, row.position)] = _holding(row)
                next_e.add(row.company)
                if row.holder_uscc:
                    next_e.add(row.holder_uscc)
                if row.person_ref:
                    next_p.add(row.person_ref)
            frontier_e, frontier_p = next_e - seen_enterprises, next_p - seen_people
            seen_enterprises |= next_e
            seen_people |= next_p
        return list(found.values())

    async def people_of(self, uscc: str) -> set[str]:
        """Person references of ``uscc``'s responsible persons and person shareholders."""
        refs = await self.session.scalars(
            select(responsible_persons.c.person_ref).where(responsible_persons.c.uscc == uscc)
        )
        holders = await self.session.scalars(
            select(shareholdings.c.person_ref).where(
                shareholdings.c.company == uscc, shareholdings.c.person_ref.is_not(None)
            )
        )
        return {*refs, *(h for h in holders if h)}

    async def roles_of_people(self, refs: Iterable[str]
    ) -> tuple[dict[str, list[tuple[str, str]]], list[Holding]]:
        """Where these people are responsible persons (USCC → [(ref, role)]) and what they hold."""
        keys = sorted(set(refs))
        responsible: dict[str, list[tuple[str, str]]] = {}
        if not keys:
            return responsible, []
        rows = await self.session.execute(
            select(responsible_persons.c.uscc, responsible_persons.c.person_ref, responsible_persons.c.role).where(
                responsible_persons.c.person_ref.in_(keys)
            )
        )
        for uscc, ref, role in rows:
            responsible.setdefault(uscc, []).append((ref, role))
        held = await self.session.execute(select(shareholdings).where(shareholdings.c.person_ref.in_(keys)))
        return responsible, [_holding(r) for r in held]

    async def names_of(self, usccs: Iterable[str]) -> dict[str, str]:
        keys = sorted(set(usccs))
        if not keys:
            return {}
        rows = await self.session.execute(
            select(enterprises.c.uscc, enterprises.c.name).where(enterprises.c.uscc.in_(keys))
        )
        return {uscc: name for uscc, name in rows}
