"""A whole-year write's grade events travel the bulk lane; a live grading that follows one never
overtakes it: the bulk event is re-sent on the live lane, same id and data, just before it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select

from evaluation.adapters.tables import current_grades, plumbing
from evaluation.service_layer.publication import BEIJING
from evaluation.synthetic import build
from landgrade.testing import read_events, token
from landgrade_events.evaluation import GRADES, GRADES_BULK, ParcelGraded
from servicekit.outbox import BULK_WRITE_LOCK_ID

YEAR = 2023  # never made final by another test (a final year takes no run)


async def test_a_live_grading_after_a_yearly_run_is_preceded_on_the_live_lane_by_the_run_event(
        service, infra) -> None:
    prefix = f"L{uuid.uuid4().hex[:6]}"
    data = build(40, YEAR, prefix)
    async with service.ctx.storage.db.transaction() as session:
        await data.write(session)
    run = await service.run_year(YEAR, token("admin"))
    async with service.ctx.storage.db.sessions() as session:
        parcel, grade, bulk_event_id = (await session.execute(
            select(current_grades.c.parcel_id, current_grades.c.grade, current_grades.c.bulk_event_id)
            .where(current_grades.c.year == YEAR, current_grades.c.parcel_id.like(f"{prefix}-%"),
                   current_grades.c.grade == "B").order_by(current_grades.c.parcel_id).limit(1))).one()
    assert bulk_event_id is not None  # the run's event, remembered by the parcel-year
    [bulk] = await read_events(infra.bootstrap, GRADES_BULK, lambda e: e.subject == parcel
                               and e.data.get("run_id") == run["id"])
    assert bulk.id == bulk_event_id

    filer = service.uscc()  # a valid code (the synthetic holders' are not)
    filing = await service.filing(parcel, filer, YEAR, "900000000000", "90000000000")
    live = await read_events(infra.bootstrap, GRADES, lambda e: e.subject == parcel and e.data["year"] == YEAR,
                             count=2)
    # On the live lane, in order: the run's event again (same id, same data), then the filing's.
    assert [e.id for e in live] == [bulk.id, live[1].id] and live[1].id != bulk.id
    assert live[1].data["triggering_event_id"] == filing.id and live[1].data["previous_grade"] == grade
    assert live[0].unwrap(ParcelGraded) == bulk.unwrap(ParcelGraded)

    # Re-sent once: the parcel-year forgets it, and the next live grading goes alone.
    again = await service.finding(parcel, "illegal_construction", at=datetime(YEAR, 6, 1, 10, tzinfo=BEIJING))
    later = await read_events(infra.bootstrap, GRADES, lambda e: e.subject == parcel and e.data["year"] == YEAR,
                              count=3)
    assert [e.id for e in later[:2]] == [e.id for e in live] and later[2].data["triggering_event_id"] == again.id
    async with service.ctx.storage.db.sessions() as session:
        assert await session.scalar(select(current_grades.c.bulk_event_id).where(
            current_grades.c.parcel_id == parcel, current_grades.c.year == YEAR)) is None
        left = await session.scalar(select(func.count()).select_from(plumbing.outbox)
                                    .where(plumbing.outbox.c.key == parcel, plumbing.outbox.c.bulk))
    assert left == 0  # the run's event went out once on the bulk lane; nothing of it waits there


class _RolledBack(Exception):
    pass


async def test_a_whole_year_write_keeps_the_relay_off_the_bulk_lane_until_it_ends(service) -> None:
    """Its COPYed rows are invisible to the relay until it commits: claiming meanwhile would only
    walk past them (see servicekit.outbox)."""
    async def bulk_write_open() -> bool:
        async with service.ctx.storage.db.sessions() as session:
            return not await session.scalar(select(func.pg_try_advisory_xact_lock(BULK_WRITE_LOCK_ID)))

    assert not await bulk_write_open()
    try:
        async with service.ctx.uow() as uow:
            await uow.grades.add_grade_events([(str(uuid.uuid4()), {"parcel_id": "P-lane-lock", "year": YEAR})])
            assert await bulk_write_open()
            raise _RolledBack
    except _RolledBack:
        pass
    assert not await bulk_write_open()
