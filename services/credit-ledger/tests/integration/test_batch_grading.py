"""A run of grade events applied at once (the consumer's fast path) must leave exactly what
applying them one by one leaves: the same credit records with the same paths, the same benefits
register and history, and the same events in the same order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from credit_ledger.service_layer.grading import on_parcels_graded
from landgrade_events.evaluation import ParcelGraded
from servicekit.events import CloudEvent
from servicekit.inbox import Delivery, Received

from .conftest import World, ref, uscc

pytestmark = pytest.mark.infra

VOLATILE = {"sequence", "record_id", "supersedes", "prev_hash", "hash", "appended_at", "id"}


async def _family(world: World) -> dict[str, str]:
    """A holder whose person runs two more enterprises, one of which is also its shareholder; and an
    enterprise tied to none of them, which takes a parcel over."""
    # Ids in the same relative order in both worlds: results are ordered by them.
    companies, parcels = sorted(uscc() for _ in range(5)), sorted(ref("P") for _ in range(3))
    names = dict(zip(["holder", "y", "z", "owner", "solo"], companies, strict=True)) | {"person": ref("psn")}
    await world.enterprise(names["owner"], "亦庄投资有限公司")
    await world.enterprise(names["solo"], "亦庄新材料有限公司")
    await world.enterprise(names["y"], "亦庄物流有限公司", [(names["person"], "王小明")])
    await world.enterprise(names["z"], "亦庄科技有限公司", [(names["person"], "王小明")])
    await world.enterprise(names["holder"], "亦庄精密制造有限公司", [(names["person"], "王小明")],
                           shareholders=[names["owner"]])
    return names | dict(zip(["p1", "p2", "p3"], parcels, strict=True))


def _run(world: World, n: dict[str, str]) -> list[ParcelGraded]:
    first = world.graded(n["p1"], n["holder"], "A")
    return [
        first,
        world.graded(n["p2"], n["holder"], "B", status="provisional"),
        world.graded(n["p1"], n["holder"], "D", status="provisional"),  # revokes at once
        world.graded(n["p3"], n["y"], "A"),
        world.graded(n["p3"], n["solo"], "A"),  # taken over: y's standing there, gained in this run, ends
        first,  # the same grading again: nothing more
        world.graded(n["p1"], n["holder"], "A"),
        world.graded(n["p2"], n["holder"], "C"),
        world.graded(n["p3"], n["y"], "D", status="provisional"),
    ]


# The events the handler wrote, read inside its transaction: once it commits, the running ledger's
# relay publishes them and deletes the rows.
_EVENTS = text("SELECT topic, key, payload FROM outbox WHERE key = ANY(:k) ORDER BY id")


async def _apply(world: World, gradings: list[ParcelGraded], at_once: bool, n: dict[str, str]) -> list[Any]:
    """The handler as the consumer calls it: a whole run at once, or one event at a time (its
    event-by-event fallback), all in one transaction."""
    received = [Received(g, Delivery(CloudEvent.wrap(g, source="test"), None)) for g in gradings]
    keys = [n["holder"], n["y"], n["z"], n["owner"], n["solo"], n["p1"], n["p2"], n["p3"]]
    async with world.db.transaction() as session:
        if at_once:
            await on_parcels_graded(world.context.uow_on(session), received)
        else:
            for one in received:
                await on_parcels_graded(world.context.uow_on(session), [one])
        return list(await session.execute(_EVENTS, {"k": keys}))


async def _state(world: World, n: dict[str, str], gradings: list[ParcelGraded], events: list[Any]) -> dict[str, Any]:
    usccs, parcels = [n["holder"], n["y"], n["z"], n["owner"], n["solo"]], [n["p1"], n["p2"], n["p3"]]
    queries = {
        "records": "SELECT * FROM credit_records WHERE parcel_id = ANY(:p) ORDER BY sequence",
        "standings": "SELECT * FROM benefit_standings WHERE uscc = ANY(:u) ORDER BY uscc, parcel_id",
        "held": "SELECT * FROM entitlements WHERE uscc = ANY(:u) ORDER BY uscc, entitlement",
        "history": "SELECT * FROM benefit_history WHERE uscc = ANY(:u) ORDER BY id",
    }
    template = {value: f"<{name}>" for name, value in n.items()}
    for i, g in enumerate(gradings):
        template.setdefault(g.evaluation_id, f"<evaluation {i}>")

    def same_across_worlds(row: dict[str, Any]) -> str:
        if "payload" in row:
            data = json.loads(bytes(row.pop("payload")))["data"]
            row["data"] = {k: v for k, v in data.items() if k not in ("seq", "record_id", "hash")}
        dumped = json.dumps({k: v for k, v in row.items() if k not in VOLATILE}, default=str, ensure_ascii=False,
                            sort_keys=True)
        for value, name in template.items():
            dumped = dumped.replace(value, name)
        return dumped

    found = {}
    async with world.db.sessions() as session:
        for name, sql in queries.items():
            rows = await session.execute(text(sql), {"p": parcels, "u": usccs, "k": usccs + parcels})
            found[name] = [same_across_worlds(dict(r._mapping)) for r in rows]
    found["events"] = [same_across_worlds(dict(r._mapping)) for r in events]
    return found


async def test_a_run_of_gradings_applied_at_once_equals_one_by_one(world: World) -> None:
    results, start = {}, world.clock
    for at_once in (False, True):
        world.clock = start  # both worlds see the same grading times
        names = await _family(world)
        gradings = _run(world, names)
        events = await _apply(world, gradings, at_once, names)
        results[at_once] = await _state(world, names, gradings, events)

    one_by_one, at_once = results[False], results[True]
    assert len(one_by_one["records"]) >= 8 and one_by_one["history"] and one_by_one["events"]
    assert any('"revoked"' in h for h in one_by_one["history"])
    for table in one_by_one:
        assert at_once[table] == one_by_one[table], table
