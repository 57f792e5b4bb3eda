"""The unit of work on real PostgreSQL: a command's commits its state and its events together or
neither; an event's joins the inbox's transaction and leaves the commit to it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from servicekit.idempotency import IdempotentRequest
from servicekit.problems import Problem
from servicekit.uow import UnitOfWork
from tests.foundation.relay_fixture import ping_type
from tests.foundation.test_outbox_inbox import _ready


async def _counts(harness) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with harness.plumbing.db.transaction() as session:
        effects = await session.scalar(select(func.count()).select_from(harness.effects))
        outbox = await session.scalar(select(func.count()).select_from(harness.plumbing.tables.outbox))
    return effects or 0, outbox or 0


async def test_a_command_commits_its_state_and_events_together(make_settings) -> None:  # type: ignore[no-untyped-def]
    _, harness = await _ready(make_settings)
    Ping = ping_type(harness.topic)
    uow = UnitOfWork(harness.plumbing.storage)
    async with uow:
        await uow.session.execute(insert(harness.effects).values(key="a", n=1, applied=1))
        await uow.emit(Ping(key_="a", n=1))
    assert await _counts(harness) == (1, 1)

    with pytest.raises(RuntimeError):
        async with uow:  # the same unit of work, used again for a second command
            await uow.session.execute(insert(harness.effects).values(key="a", n=2, applied=1))
            await uow.emit(Ping(key_="a", n=2))
            raise RuntimeError("the handler failed after writing")
    assert await _counts(harness) == (1, 1)  # neither the state nor the event of the failed one
    await harness.plumbing.db.dispose()


async def test_an_event_unit_of_work_leaves_the_commit_to_the_inbox(make_settings) -> None:  # type: ignore[no-untyped-def]
    _, harness = await _ready(make_settings)
    Ping = ping_type(harness.topic)
    with pytest.raises(RuntimeError):
        async with harness.plumbing.db.transaction() as session:  # the inbox's transaction
            uow = UnitOfWork(harness.plumbing.storage, session=session)
            async with uow:
                await uow.emit(Ping(key_="b", n=1))
            raise RuntimeError("a later event of the batch failed")
    assert await _counts(harness) == (0, 0)  # leaving the handler's block committed nothing
    await harness.plumbing.db.dispose()


async def test_an_idempotency_key_replays_its_answer_and_refuses_another_body(make_settings) -> None:  # type: ignore[no-untyped-def]
    _, harness = await _ready(make_settings)
    first = IdempotentRequest("tax-system", "key-1", "a" * 64)
    async with UnitOfWork(harness.plumbing.storage) as uow:
        assert await uow.replayed(first) is None
        await uow.remember(first, 201, {"id": "r1"})
    async with UnitOfWork(harness.plumbing.storage) as uow:
        assert await uow.replayed(first) == (201, {"id": "r1"})
        with pytest.raises(Problem) as refused:
            await uow.replayed(IdempotentRequest("tax-system", "key-1", "b" * 64))
    assert refused.value.status == 409
    async with UnitOfWork(harness.plumbing.storage) as uow:  # keys belong to their principal
        assert await uow.replayed(IdempotentRequest("registry", "key-1", "b" * 64)) is None
    await harness.plumbing.db.dispose()
