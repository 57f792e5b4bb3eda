"""The consumer loop's pacing and bounds, without a broker: batches start at most
`consumer_batch_spacing_seconds` apart, so a steady moderate flow is applied in batches big enough
to spread their fixed cost, while an idle consumer takes the next event at once; an offset commit
that never returns ends the loop so the consumer restarts."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest

from servicekit import inbox
from servicekit.inbox import EventConsumer
from servicekit.settings import ServiceSettings


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(inbox.asyncio, "sleep", sleep)
    return asked


async def test_a_batch_right_after_another_waits_out_the_spacing(waits: list[float]) -> None:
    await EventConsumer._space_out(SimpleNamespace(batch_spacing=0.2), time.monotonic() - 0.05)  # type: ignore[arg-type]
    assert len(waits) == 1
    assert 0.1 < waits[0] <= 0.15


async def test_after_a_quiet_spell_or_a_long_batch_the_next_starts_at_once(waits: list[float]) -> None:
    await EventConsumer._space_out(SimpleNamespace(batch_spacing=0.2), time.monotonic() - 0.5)  # type: ignore[arg-type]
    await EventConsumer._space_out(SimpleNamespace(batch_spacing=0.0), time.monotonic())  # type: ignore[arg-type]
    assert waits == []


def test_the_spacing_is_a_setting_bounded_to_seconds() -> None:
    assert ServiceSettings(consumer_batch_spacing_seconds=0).consumer_batch_spacing_seconds == 0
    with pytest.raises(ValueError, match="consumer_batch_spacing_seconds"):
        ServiceSettings(consumer_batch_spacing_seconds=-1)


class _QuietTopic:
    """A consumer whose polls come back empty, until `polls` of them have; then it stops the loop."""

    def __init__(self, stop: asyncio.Event, polls: int) -> None:
        self.stop, self.polls = stop, polls

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[object, list[object]]:
        self.polls -= 1
        if self.polls == 0:
            self.stop.set()
        return {}


async def test_empty_polls_do_not_count_as_batches(waits: list[float]) -> None:
    """Regression: an empty poll once restarted the spacing, so the first event after a quiet
    spell waited up to a whole spacing."""
    consumer = EventConsumer("quiet", ["t"], {}, None, None, None, None, None,  # type: ignore[arg-type]
                             batch_spacing_seconds=5.0)
    stop = asyncio.Event()
    await consumer._loop(_QuietTopic(stop, polls=3), None, stop)  # type: ignore[arg-type]
    assert waits == []


class _BrokerGone:
    """One batch to apply, then an offset commit that never completes (the broker died mid-commit)."""

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[object, list[object]]:
        return {"partition": [SimpleNamespace(offset=7)]}

    async def commit(self, offsets: dict[object, int]) -> None:
        await asyncio.Event().wait()


async def test_an_offset_commit_that_never_returns_restarts_the_consumer() -> None:
    """Regression: a commit in flight when the broker was killed hung for good, and the consumer
    with it; now it times out, and `run` starts a fresh consumer from the committed offsets."""
    consumer = EventConsumer("stuck", ["t"], {}, None, None, None, None, None,  # type: ignore[arg-type]
                             commit_timeout_seconds=0.05)

    async def applied(batch: object, producer: object) -> None:
        return None

    consumer.process = applied  # type: ignore[method-assign]
    loop = asyncio.ensure_future(consumer._loop(_BrokerGone(), None, asyncio.Event()))  # type: ignore[arg-type]
    done, _ = await asyncio.wait({loop}, timeout=5)
    loop.cancel()
    assert loop in done, "the consumer still waits for its commit"
    assert isinstance(loop.exception(), asyncio.TimeoutError)
