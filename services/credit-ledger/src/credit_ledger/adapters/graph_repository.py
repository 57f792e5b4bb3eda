"""This service's projection of enterprises, responsible persons and equity links."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import enterprises, equity_links, responsible_persons
from credit_ledger.domain.enterprises import Enterprise, EnterpriseState, EquityLink, ResponsiblePerson
from credit_ledger.domain.penetration import EnterpriseGraph
from servicekit.db import any_of

# Built once, with array parameters (see `servicekit.db.any_of`): they run for every batch of grades.
_rp = responsible_persons.c
_PERSONS_OF = select(_rp.person_ref).where(any_of(_rp.uscc, "usccs"))
_PERSON_ROWS = select(_rp.uscc, _rp.person_ref).where(
    or_(any_of(_rp.person_ref, "persons"), any_of(_rp.uscc, "usccs")))
_LINKS_OF = select(equity_links.c.shareholder_uscc, equity_links.c.investee_uscc, equity_links.c.share).where(
    or_(any_of(equity_links.c.shareholder_uscc, "usccs"), any_of(equity_links.c.investee_uscc, "usccs")))
_NAMES_OF = select(enterprises.c.uscc, enterprises.c.name).where(any_of(enterprises.c.uscc, "usccs"))


class GraphRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(self, state: EnterpriseState) -> None:
        """Upserts one enterprise with its full current persons and enterprise shareholders: the
        registry sends the whole state each time."""
        session, uscc = self.session, state.uscc
        await session.execute(
            insert(enterprises).values(uscc=uscc, name=state.name, status=state.status)
            .on_conflict_do_update(index_elements=[enterprises.c.uscc],
                                   set_={"name": state.name, "status": state.status, "updated_at": func.now()})
        )
        await session.execute(delete(responsible_persons).where(responsible_persons.c.uscc == uscc))
        person_rows = {p.person_ref: {"uscc": uscc, "person_ref": p.person_ref, "name": p.name, "role": p.role}
                       for p in state.persons}
        if person_rows:
            await session.execute(insert(responsible_persons), list(person_rows.values()))
        await session.execute(delete(equity_links).where(equity_links.c.investee_uscc == uscc))
        link_rows = {holder: {"shareholder_uscc": holder, "investee_uscc": uscc, "share": share}
                     for holder, share in state.shareholders if holder != uscc}
        if link_rows:
            await session.execute(insert(equity_links), list(link_rows.values()))

    async def around(self, holders: Iterable[str]) -> EnterpriseGraph:
        """The part of the graph the penetration chain can reach from each of `holders`: their persons,
        those persons' enterprises and the holders' equity links, with names (four queries in all).
        Penetration from a holder reads only its own persons, their enterprises and its own equity
        links, so the others' parts in the same graph never change what it reaches."""
        session, wanted = self.session, sorted(set(holders))
        persons = list((await session.scalars(_PERSONS_OF, {"usccs": wanted})).all())
        person_rows = (await session.execute(_PERSON_ROWS, {"persons": persons, "usccs": wanted})).all()
        links = (await session.execute(_LINKS_OF, {"usccs": wanted})).all()
        responsible: dict[str, set[str]] = {}
        for row in person_rows:
            responsible.setdefault(row.uscc, set()).add(row.person_ref)
        usccs = set(wanted) | set(responsible) | {u for row in links for u in (row.shareholder_uscc,
                                                                                 row.investee_uscc)}
        return EnterpriseGraph(
            names=await self.names(usccs),
            responsible_persons={u: frozenset(p) for u, p in responsible.items()},
            equity_links=frozenset((row.shareholder_uscc, row.investee_uscc) for row in links),
            equity_shares={(row.shareholder_uscc, row.investee_uscc): row.share for row in links},
        )

    async def names(self, usccs: Iterable[str]) -> dict[str, str]:
        wanted = list(set(usccs))
        if not wanted:
            return {}
        rows = await self.session.execute(_NAMES_OF, {"usccs": wanted})
        return {r.uscc: r.name for r in rows}

    async def enterprise(self, uscc: str) -> Enterprise | None:
        row = (await self.session.execute(select(enterprises).where(enterprises.c.uscc == uscc))).first()
        return Enterprise(row.uscc, row.name, row.status) if row is not None else None

    async def is_person(self, person_ref: str) -> bool:
        """Whether any enterprise names this token among its responsible persons."""
        found = await self.session.scalar(
            select(func.count()).select_from(responsible_persons).where(_rp.person_ref == person_ref))
        return bool(found)

    async def persons_of(self, uscc: str) -> list[ResponsiblePerson]:
        rows = await self.session.execute(
            select(responsible_persons).where(_rp.uscc == uscc).order_by(_rp.person_ref))
        return [ResponsiblePerson(r.person_ref, r.name, r.role) for r in rows]

    async def equity_links_of(self, uscc: str) -> list[EquityLink]:
        rows = await self.session.execute(
            select(equity_links).where(or_(equity_links.c.shareholder_uscc == uscc,
                                           equity_links.c.investee_uscc == uscc)))
        return [EquityLink(r.shareholder_uscc, r.investee_uscc, r.share) for r in rows]
