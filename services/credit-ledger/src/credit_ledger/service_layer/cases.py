"""An enforcement or renewal-guidance case changed: a record for the parcel's rights holder."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters import graph, ledger
from credit_ledger.adapters.tables import credit_records, grades
from credit_ledger.domain.records import CaseFact, record_for_case
from credit_ledger.service_layer.outgoing import record_appended
from servicekit.logging import get_logger
from servicekit.outbox import Outbox


async def holder_of(session: AsyncSession, parcel_id: str) -> str | None:
    """The holder named by the parcel's latest grading (this service keeps no parcel register)."""
    return await session.scalar(
        select(grades.c.holder_uscc).where(grades.c.parcel_id == parcel_id)
        .order_by(grades.c.evaluated_at.desc()).limit(1)
    )


async def on_case_changed(session: AsyncSession, outbox: Outbox, fact: CaseFact) -> bool:
    """Appends the holder's record of this case step. An event without a holder falls back on the
    parcel's latest grading; a parcel never graded here has no holder to record against."""
    log = get_logger("cases").bind(case_id=fact.case_id, parcel_id=fact.parcel_id)
    holder = fact.holder_uscc or await holder_of(session, fact.parcel_id)
    if not holder:
        log.warning("case_without_holder_skipped")
        return False
    fact = replace(fact, holder_uscc=holder)
    record = record_for_case(fact, (await graph.enterprise_names(session, [holder])).get(holder))
    exists = await session.scalar(select(credit_records.c.sequence)
                                  .where(credit_records.c.record_id == record.record_id))
    if exists is not None:
        return False
    [link] = await ledger.append_records(session, [record])
    await outbox.add(session, record_appended(record, link))
    log.info("case_recorded", seq=link.sequence)
    return True
