"""Answers for approval systems: an enterprise's entitlements, and who holds a given one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.tables import benefit_history, benefit_standings, enterprises, entitlements
from credit_ledger.domain.entitlements import Entitlement


async def benefits_of(session: AsyncSession, uscc: str, history_limit: int = 50) -> dict[str, Any]:
    name = await session.scalar(select(enterprises.c.name).where(enterprises.c.uscc == uscc))
    held = (await session.execute(
        select(entitlements).where(entitlements.c.uscc == uscc).order_by(entitlements.c.entitlement))).all()
    ties = (await session.execute(
        select(benefit_standings).where(benefit_standings.c.uscc == uscc)
        .order_by(benefit_standings.c.parcel_id))).all()
    history = (await session.execute(
        select(benefit_history).where(benefit_history.c.uscc == uscc)
        .order_by(benefit_history.c.id.desc()).limit(history_limit))).all()
    kinds = {r.entitlement for r in held}
    return {
        "uscc": uscc, "name": name,
        "green_channel": Entitlement.GREEN_CHANNEL.value in kinds,
        "key_service_list": Entitlement.KEY_SERVICE_LIST.value in kinds,
        "restricted": Entitlement.RESTRICTED.value in kinds,
        "entitlements": [{"benefit": r.entitlement, "since": r.since, "reason": r.reason,
                          "grounds": list(r.grounds)} for r in held],
        "ties": [{"parcel_id": t.parcel_id, "relation": t.relation, "path": t.path_sentence,
                  "final_grade": t.final_grade, "final_year": t.final_year,
                  "pending_grade": t.pending_grade} for t in ties],
        "history": [{"benefit": h.entitlement, "action": h.action, "reason": h.reason, "at": h.at,
                     "parcel_id": h.parcel_id, "grade": h.grade, "grade_status": h.grade_status}
                    for h in history],
    }


async def holders_of(session: AsyncSession, kind: Entitlement, after: str | None, limit: int) -> dict[str, Any]:
    """One page of enterprises holding `kind`, in USCC order; `next` continues after the last one."""
    query = (
        select(entitlements, enterprises.c.name)
        .join(enterprises, enterprises.c.uscc == entitlements.c.uscc, isouter=True)
        .where(entitlements.c.entitlement == kind.value)
        .order_by(entitlements.c.uscc).limit(limit + 1)
    )
    if after:
        query = query.where(entitlements.c.uscc > after)
    rows = (await session.execute(query)).all()
    page = rows[:limit]
    return {
        "list": kind.value,
        "items": [{"uscc": r.uscc, "name": r.name, "since": r.since, "reason": r.reason,
                   "grounds": list(r.grounds)} for r in page],
        "next": page[-1].uscc if len(rows) > limit else None,
    }
