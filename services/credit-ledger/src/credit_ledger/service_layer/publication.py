"""A year's grades were published (公示): each holder is told of its parcels' grades and of the day
the objection window closes, in the transaction that consumes the event (one notice per holder and
publication: a redelivery writes nothing)."""

from __future__ import annotations

from itertools import groupby

from credit_ledger.domain import notices
from credit_ledger.domain.notices import Publication
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from landgrade_events.evaluation import YearPublished
from servicekit.inbox import Received


async def on_years_published(uow: CreditLedgerUnitOfWork, events: list[Received[YearPublished]]) -> None:
    async with uow:
        for received in events:
            published = received.data
            publication = Publication(published.run_id, published.year, published.published_at,
                                      published.objection_last_day)
            held = await uow.grades.held_in(published.year)
            await uow.notices.add([
                notices.for_publication(publication, holder, [(parcel, grade) for _, parcel, grade in rows])
                for holder, rows in groupby(held, key=lambda row: row[0])])
