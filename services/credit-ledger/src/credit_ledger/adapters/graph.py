"""This service's projection of enterprises, responsible persons and equity links."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import enterprises, equity_links, responsible_persons
from credit_ledger.domain.penetration import EnterpriseGraph
from servicekit.db import any_of


async def replace_enterprise(
    session: AsyncSession, uscc: str, name: str, status: str,
    persons: Iterable[tuple[str, str, str]], shareholders: Iterable[tuple[str, Decimal]],
) -> None:
    """Upserts one enterprise with its full current persons (ref, name, role) and enterprise
    shareholders (USCC, share): the registry sends the whole state each time."""
    await session.execute(
        insert(enterprises).values(uscc=uscc, name=name, status=status)
        .on_conflict_do_update(index_elements=[enterprises.c.uscc],
                               set_={"name": name, "status": status, "updated_at": func.now()})
    )
    await session.execute(delete(responsible_persons).where(responsible_persons.c.uscc == uscc))
    person_rows = {ref: {"uscc": uscc, "person_ref": ref, "name": pname, "role": role}
                   for ref, pname, role in persons}
    if person_rows:
        await session.execute(insert(responsible_persons), list(person_rows.values()))
    await session.execute(delete(equity_links).where(equity_links.c.investee_uscc == uscc))
    link_rows = {holder: {"shareholder_uscc": holder, "investee_uscc": uscc, "share": share}
                 for holder, share in shareholders if holder != uscc}
    if link_rows:
        await session.execute(insert(equity_links), list(link_rows.values()))


# Built once, with array parameters (see `servicekit.db.any_of`): they run for every batch of grades.
_rp = responsible_persons.c
_PERSONS_OF = select(_rp.person_ref).where(any_of(_rp.uscc, "usccs"))
_PERSON_ROWS = select(_rp.uscc, _rp.person_ref).where(
    or_(any_of(_rp.person_ref, "persons"), any_of(_rp.uscc, "usccs")))
_LINKS_OF = select(equity_links.c.shareholder_uscc, equity_links.c.investee_uscc).where(
    or_(any_of(equity_links.c.shareholder_uscc, "usccs"), any_of(equity_links.c.investee_uscc, "usccs")))
_NAMES_OF = select(enterprises.c.uscc, enterprises.c.name).where(any_of(enterprises.c.uscc, "usccs"))


async def graph_around(session: AsyncSession, holders: Iterable[str]) -> EnterpriseGraph:
    """The part of the graph the penetration chain can reach from each of `holders`: their persons,
    those persons' enterprises and the holders' equity links, with names (four queries in all).
    Penetration from a holder reads only its own persons, their enterprises and its own equity
    links, so the others' parts in the same graph never change what it reaches."""
    wanted = sorted(set(holders))
    persons = list((await session.scalars(_PERSONS_OF, {"usccs": wanted})).all())
    person_rows = (await session.execute(_PERSON_ROWS, {"persons": persons, "usccs": wanted})).all()
    links = (await session.execute(_LINKS_OF, {"usccs": wanted})).all()
    responsible: dict[str, set[str]] = {}
    for row in person_rows:
        responsible.setdefault(row.uscc, set()).add(row.person_ref)
    usccs = set(wanted) | set(responsible) | {u for link in links for u in link}
    return EnterpriseGraph(
        names=await enterprise_names(session, usccs),
        responsible_persons={u: frozenset(p) for u, p in responsible.items()},
        equity_links=frozenset((row.shareholder_uscc, row.investee_uscc) for row in links),
    )


async def enterprise_names(session: AsyncSession, usccs: Iterable[str]) -> dict[str, str]:
    wanted = list(set(usccs))
    if not wanted:
        return {}
    rows = await session.execute(_NAMES_OF, {"usccs": wanted})
    return {r.uscc: r.name for r in rows}


async def persons_of(session: AsyncSession, uscc: str) -> list[Any]:
    return list((await session.execute(
        select(responsible_persons).where(responsible_persons.c.uscc == uscc)
        .order_by(responsible_persons.c.person_ref)
    )).all())


async def equity_linked(session: AsyncSession, uscc: str) -> list[Any]:
    return list((await session.execute(
        select(equity_links).where(or_(equity_links.c.shareholder_uscc == uscc,
                                       equity_links.c.investee_uscc == uscc))
    )).all())
