"""The hash chain in the database: tampering is found by verify; anchors are published."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from landgrade.testing import eventually, read_events, token
from landgrade_events.credit import ANCHORS

from .conftest import World, ref, running_world, uscc

pytestmark = pytest.mark.infra
READER = token("credit:read")


async def _ledger_with_records(world: World) -> str:
    holder, partner, person = uscc(), uscc(), ref("psn")
    await world.enterprise(holder, "亦庄机械有限公司", [(person, "李四")])
    await world.enterprise(partner, "亦庄电子有限公司", [(person, "李四")])
    await world.graded_and_applied(world.graded(ref("P"), holder, "B"))
    await world.graded_and_applied(world.graded(ref("P"), holder, "D"))
    return holder


async def _tamper(world: World, sql: str) -> None:
    """What someone with direct database access could do: bypass the append-only trigger."""
    async with world.db.transaction() as session:
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text(sql))


async def _verify(world: World) -> dict[str, object]:
    response = await world.client.get("/v1/ledger/verify", headers=READER)
    assert response.status_code == 200
    return dict(response.json())


async def test_an_untouched_ledger_verifies(world: World) -> None:
    await _ledger_with_records(world)
    result = await _verify(world)
    assert result["ok"] and result["first_broken"] is None
    assert result["checked"] == result["head_sequence"] and int(str(result["checked"])) >= 4


async def test_an_edited_record_is_named_by_verify(world: World) -> None:
    holder = await _ledger_with_records(world)
    seq = await world.scalar("SELECT max(sequence) FROM credit_records WHERE subject_ref = :u AND grade = 'D'",
                             u=holder)
    await _tamper(world, f"UPDATE credit_records SET grade = 'A', polarity = 'positive' WHERE sequence = {seq}")
    result = await _verify(world)
    assert not result["ok"]
    assert result["first_broken"] == {"sequence": seq, "problem": "edited", "detail": "content does not match its hash"}


async def test_a_deleted_record_is_a_gap(world: World) -> None:
    await _ledger_with_records(world)
    await _tamper(world, "DELETE FROM credit_records WHERE sequence = 2")
    first = (await _verify(world))["first_broken"]
    assert first == {"sequence": 2, "problem": "deleted", "detail": "record 2 is missing"}


async def test_reordered_records_are_detected(world: World) -> None:
    await _ledger_with_records(world)
    await _tamper(world, "UPDATE credit_records SET sequence = -sequence WHERE sequence IN (2, 3)")
    await _tamper(world, "UPDATE credit_records SET sequence = CASE sequence WHEN -2 THEN 3 ELSE 2 END "
                         "WHERE sequence IN (-2, -3)")
    first = (await _verify(world))["first_broken"]
    assert isinstance(first, dict) and first["sequence"] == 2 and first["problem"] == "reordered"


async def test_deleting_the_newest_record_is_caught_by_the_head(world: World) -> None:
    await _ledger_with_records(world)
    last = await world.scalar("SELECT max(sequence) FROM credit_records")
    await _tamper(world, f"DELETE FROM credit_records WHERE sequence = {last}")
    first = (await _verify(world))["first_broken"]
    # "deleted" if another test's record was appended after the deletion, else "truncated".
    assert isinstance(first, dict) and first["problem"] in ("truncated", "deleted") and first["sequence"] == last


async def test_the_head_is_anchored_and_published(world: World) -> None:
    await _ledger_with_records(world)
    head = await world.scalar("SELECT sequence FROM ledger_head")
    # Other tests' events may still be arriving, so the anchor may be of a later head.
    seq = await eventually(lambda: world.scalar("SELECT max(sequence) FROM ledger_anchors WHERE sequence >= :s",
                                                s=head))
    anchored = await world.scalar("SELECT head_hash FROM ledger_anchors WHERE sequence = :s", s=seq)
    assert anchored == await world.scalar("SELECT hash FROM credit_records WHERE sequence = :s", s=seq)
    [event] = await read_events(world.bootstrap, ANCHORS, lambda e: e.data["head_hash"] == anchored)
    assert event.data["seq"] == seq
    anchors = (await world.client.get("/v1/ledger/anchors", headers=READER)).json()
    assert {"sequence": seq, "head_hash": anchored} in anchors


async def test_verify_needs_a_token(world: World) -> None:
    assert (await world.client.get("/v1/ledger/verify")).status_code == 401
    assert (await world.client.get("/v1/ledger/verify", headers=token("grades:read"))).status_code == 403


def _verifications(metrics: str, outcome: str) -> float:
    line = next(x for x in metrics.splitlines() if x.startswith(f'ledger_verifications_total{{outcome="{outcome}"}}'))
    return float(line.split()[-1])


async def test_the_periodic_verification_finds_tampering_nobody_asked_about(make_settings: Any, infra: Any) -> None:
    async with running_world(make_settings, infra, ledger_verify_interval_seconds=0.3) as world:
        holder = await _ledger_with_records(world)

        async def scraped() -> str:
            return (await world.client.get("/metrics")).text

        assert await eventually(lambda: _ok_counted(scraped))
        seq = await world.scalar("SELECT max(sequence) FROM credit_records WHERE subject_ref = :u", u=holder)
        await _tamper(world, f"UPDATE credit_records SET grade = 'A' WHERE sequence = {seq}")

        async def broken_counted() -> bool:
            return _verifications(await scraped(), "broken") >= 1

        assert await eventually(broken_counted)


async def _ok_counted(scraped: Any) -> bool:
    text_ = await scraped()
    return _verifications(text_, "ok") >= 1 and _verifications(text_, "broken") == 0
