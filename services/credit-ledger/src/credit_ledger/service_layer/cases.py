"""An enforcement or renewal-guidance case changed: a record for the parcel's rights holder."""

from __future__ import annotations

from dataclasses import replace

from credit_ledger.domain.records import CaseFact, record_for_case
from credit_ledger.service_layer.identifiers import event_uscc
from credit_ledger.service_layer.outgoing import record_appended
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from landgrade_events.enforcement import CaseChanged
from servicekit.inbox import Received
from servicekit.logging import get_logger


def case_fact(changed: CaseChanged) -> CaseFact:
    """The case step as this service keeps it; a holder USCC that is not one makes the event poison."""
    return CaseFact(
        case_id=changed.case_id, case_kind=changed.kind, state=changed.state, parcel_id=changed.parcel_id,
        holder_uscc=event_uscc(changed.holder_uscc, "holder_uscc") if changed.holder_uscc else "",
        occurred_at=changed.at, note=changed.reason,
    )


async def on_cases_changed(uow: CreditLedgerUnitOfWork, events: list[Received[CaseChanged]]) -> None:
    """Appends the holder's record of each case step, in delivery order. An event without a holder
    falls back on the parcel's latest grading; a parcel never graded here has no holder to record
    against. A step recorded before (same record id) is not recorded again."""
    async with uow:
        for event in events:
            with event.traced():
                await _record(uow, case_fact(event.data))


async def _record(uow: CreditLedgerUnitOfWork, fact: CaseFact) -> None:
    log = get_logger("cases").bind(case_id=fact.case_id, parcel_id=fact.parcel_id)
    holder = fact.holder_uscc or await uow.grades.latest_holder(fact.parcel_id)
    if not holder:
        log.warning("case_without_holder_skipped")
        return
    fact = replace(fact, holder_uscc=holder)
    record = record_for_case(fact, (await uow.graph.names([holder])).get(holder))
    if await uow.ledger.exists(record.record_id):
        return
    [link] = await uow.ledger.append([record])
    await uow.emit(record_appended(record, link))
    log.info("case_recorded", seq=link.sequence)
