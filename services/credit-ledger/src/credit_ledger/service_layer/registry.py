"""Keeps this service's own graph of enterprises, responsible persons and equity links.

Only enterprise shareholders become equity links: the policy's related parties are enterprises
linked by equity or by a shared responsible person, and a natural-person shareholder who is not
a responsible person is neither. Relations are dated by the day a reported change took
effect, and a grading walks those of its graded year (`RelationsCounted`); graph changes take
effect at the next grading of a parcel: a credit record states the relations as they were when it
was written.
"""

from __future__ import annotations

from datetime import date

from credit_ledger.domain.enterprises import EnterpriseState, ResponsiblePerson
from credit_ledger.service_layer.identifiers import event_uscc
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from landgrade_events.registry import EnterpriseChanged
from servicekit.clock import BEIJING
from servicekit.inbox import Received


def enterprise_state(changed: EnterpriseChanged) -> EnterpriseState:
    """The enterprise as this service keeps it. A malformed USCC, its own or an enterprise
    shareholder's, makes the event poison: dropping the link would hide a related party."""
    return EnterpriseState(
        uscc=event_uscc(changed.uscc, "uscc"), name=changed.name, status=changed.status,
        persons=tuple(ResponsiblePerson(p.person_ref, p.name, p.role) for p in changed.responsible_persons),
        shareholders=tuple((event_uscc(s.uscc, "shareholders.uscc"), s.share) for s in changed.shareholders
                           if s.kind == "enterprise" and s.uscc),
    )


def effective_on(received: Received[EnterpriseChanged]) -> date:
    """The day the reported state took effect: as the registry dates it, else (an event from before
    it dated them) the day the event was written, Beijing time."""
    return received.data.effective_on or received.delivery.event.time.astimezone(BEIJING).date()


async def on_enterprises_changed(uow: CreditLedgerUnitOfWork, events: list[Received[EnterpriseChanged]]) -> None:
    """Each event carries the enterprise's whole current state; applied in delivery order."""
    async with uow:
        for event in events:
            await uow.graph.replace(enterprise_state(event.data), effective_on(event))
