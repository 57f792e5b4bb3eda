"""This service's projection of enterprises, responsible persons and equity links."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import enterprises, equity_links, responsible_persons
from credit_ledger.domain.enterprises import (
    Enterprise,
    EnterpriseState,
    EquityLink,
    ResponsiblePerson,
    relation_changes,
)
from credit_ledger.domain.penetration import EnterpriseGraph, RelationsCounted
from servicekit.db import any_of

# Built once, with array parameters (see `servicekit.db.any_of`): they run for every batch of
# grades. A relation counts when its period meets the window [:first, :last] of the graded year.
_rp, _el = responsible_persons.c, equity_links.c


def _meets(table: Any) -> Any:
    return and_(or_(table.c.valid_from.is_(None), table.c.valid_from <= bindparam("last")),
                or_(table.c.valid_to.is_(None), table.c.valid_to > bindparam("first")))


_PERSONS_OF = select(_rp.person_ref).where(any_of(_rp.uscc, "usccs"), _meets(responsible_persons))
_PERSON_ROWS = select(_rp.uscc, _rp.person_ref).where(
    or_(any_of(_rp.person_ref, "persons"), any_of(_rp.uscc, "usccs")), _meets(responsible_persons))
_LINKS_OF = select(_el.shareholder_uscc, _el.investee_uscc, _el.share).where(
    or_(any_of(_el.shareholder_uscc, "usccs"), any_of(_el.investee_uscc, "usccs")), _meets(equity_links))
_NAMES_OF = select(enterprises.c.uscc, enterprises.c.name).where(any_of(enterprises.c.uscc, "usccs"))


class GraphRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(self, state: EnterpriseState, effective_on: date) -> None:
        """Takes one enterprise's whole reported state (persons and enterprise shareholders) as of
        `effective_on`: relations it no longer names end that day, new ones begin that day. An
        enterprise heard of for the first time has its relations known since ever (the ledger
        knows no earlier state: counting them from today would free them of every earlier year)."""
        session, uscc = self.session, state.uscc
        known = await session.scalar(select(enterprises.c.uscc).where(enterprises.c.uscc == uscc))
        await session.execute(
            insert(enterprises).values(uscc=uscc, name=state.name, status=state.status)
            .on_conflict_do_update(index_elements=[enterprises.c.uscc],
                                   set_={"name": state.name, "status": state.status, "updated_at": func.now()})
        )
        open_persons = {r.person_ref: ResponsiblePerson(r.person_ref, r.name, r.role) for r in await session.execute(
            select(_rp.person_ref, _rp.name, _rp.role).where(_rp.uscc == uscc, _rp.valid_to.is_(None)))}
        open_links = {r.shareholder_uscc: r.share for r in await session.execute(
            select(_el.shareholder_uscc, _el.share).where(_el.investee_uscc == uscc, _el.valid_to.is_(None)))}
        changes = relation_changes(open_persons, open_links, state)
        begins = effective_on if known else None
        if changes.ended_persons:
            await session.execute(update(responsible_persons).where(
                _rp.uscc == uscc, _rp.person_ref.in_(changes.ended_persons), _rp.valid_to.is_(None))
                .values(valid_to=_ends(responsible_persons, effective_on)))
        for person in changes.corrected_persons:
            await session.execute(update(responsible_persons).where(
                _rp.uscc == uscc, _rp.person_ref == person.person_ref, _rp.valid_to.is_(None))
                .values(name=person.name, role=person.role))
        if changes.begun_persons:
            await session.execute(insert(responsible_persons), [
                {"uscc": uscc, "person_ref": p.person_ref, "name": p.name, "role": p.role, "valid_from": begins}
                for p in changes.begun_persons])
        if changes.ended_links:
            await session.execute(update(equity_links).where(
                _el.investee_uscc == uscc, _el.shareholder_uscc.in_(changes.ended_links), _el.valid_to.is_(None))
                .values(valid_to=_ends(equity_links, effective_on)))
        if changes.begun_links:
            await session.execute(insert(equity_links), [
                {"shareholder_uscc": holder, "investee_uscc": uscc, "share": share, "valid_from": begins}
                for holder, share in changes.begun_links])

    async def around(self, holders: Iterable[str], year: int,
                     counted: RelationsCounted = RelationsCounted.ANY_DAY) -> EnterpriseGraph:
        """The part of the graph the penetration chain can reach from each of `holders` in graded
        `year` (the relations `counted` for it): their persons, those persons' enterprises and the
        holders' equity links, with names (four queries in all).
        Penetration from a holder reads only its own persons, their enterprises and its own equity
        links, so the others' parts in the same graph never change what it reaches."""
        session, wanted = self.session, sorted(set(holders))
        first, last = counted.window(year)
        window = {"first": first, "last": last}
        persons = list((await session.scalars(_PERSONS_OF, {"usccs": wanted, **window})).all())
        person_rows = (await session.execute(_PERSON_ROWS, {"persons": persons, "usccs": wanted, **window})).all()
        links = (await session.execute(_LINKS_OF, {"usccs": wanted, **window})).all()
        responsible: dict[str, set[str]] = {}
        for row in person_rows:
            responsible.setdefault(row.uscc, set()).add(row.person_ref)
        usccs = set(wanted) | set(responsible) | {u for row in links for u in (row.shareholder_uscc,
                                                                                 row.investee_uscc)}
        return EnterpriseGraph(
            names=await self.names(usccs),
            responsible_persons={u: frozenset(p) for u, p in responsible.items()},
            equity_links=frozenset((row.shareholder_uscc, row.investee_uscc) for row in links),
            equity_shares=_largest_stakes(links),
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

    async def persons_of(self, uscc: str, on: date | None = None) -> list[ResponsiblePerson]:
        """The enterprise's responsible persons on day `on` (None: those still valid)."""
        rows = await self.session.execute(
            select(responsible_persons).where(_rp.uscc == uscc, _valid_on(responsible_persons, on))
            .order_by(_rp.person_ref), _day(on))
        return [ResponsiblePerson(r.person_ref, r.name, r.role) for r in rows]

    async def equity_links_of(self, uscc: str, on: date | None = None) -> list[EquityLink]:
        """Its equity links either way on day `on` (None: those still valid)."""
        rows = await self.session.execute(
            select(equity_links).where(or_(_el.shareholder_uscc == uscc, _el.investee_uscc == uscc),
                                       _valid_on(equity_links, on)), _day(on))
        return [EquityLink(r.shareholder_uscc, r.investee_uscc, r.share) for r in rows]


def _ends(table: Any, day: date) -> Any:
    """The end of a period closed on `day`; a report dated before the period began (sent out of
    order) leaves it empty rather than ending before it began."""
    return func.greatest(day, func.coalesce(table.c.valid_from, day))


def _largest_stakes(links: Iterable[Any]) -> dict[tuple[str, str], Decimal]:
    """Each link's stake; a stake changed within the year counts at its largest (the related-party
    threshold is met if it was met on some day the year counts)."""
    stakes: dict[tuple[str, str], Decimal] = {}
    for row in links:
        key = (row.shareholder_uscc, row.investee_uscc)
        stakes[key] = max(stakes.get(key, row.share), row.share)
    return stakes


def _valid_on(table: Any, day: date | None) -> Any:
    """Still valid (None), or valid on `day`: the window of one day (`_day`'s parameters)."""
    return table.c.valid_to.is_(None) if day is None else _meets(table)


def _day(day: date | None) -> dict[str, date]:
    return {} if day is None else {"first": day, "last": day}
