"""Keeps this service's own graph of enterprises, responsible persons and equity links.

Only enterprise shareholders become equity links: the policy's related parties are enterprises
linked by equity or by a shared responsible person, and a natural-person shareholder who is not
a responsible person is neither. Graph changes take effect at the next grading of a parcel: a
credit record states the relations as they were when it was written.
"""

from __future__ import annotations

from credit_ledger.domain.enterprises import EnterpriseState, ResponsiblePerson
from credit_ledger.service_layer.identifiers import event_uscc
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from landgrade_events.registry import EnterpriseChanged
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


async def on_enterprises_changed(uow: CreditLedgerUnitOfWork, events: list[Received[EnterpriseChanged]]) -> None:
    """Each event carries the enterprise's whole current state; applied in delivery order."""
    async with uow:
        for event in events:
            await uow.graph.replace(enterprise_state(event.data))
