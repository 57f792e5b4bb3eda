"""Enterprises, their people and equity links, through the HTTP API and Kafka."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest

from landgrade.testing import Infra, read_events, token
from landgrade_events.registry import ENTERPRISES

pytestmark = pytest.mark.infra

WRITE, READ, ADMIN = token("parcels:write", "enterprises:write"), token("registry:read"), token("admin")


def enterprise(
    name: str, people: Sequence[tuple[str, str, str]] = (), holders: Sequence[dict[str, str]] = ()
) -> dict[str, Any]:
    return {
        "name": name,
        "status": "active",
        "responsible_persons": [{"name": n, "role": r, "id_number": i} for n, r, i in people],
        "shareholders": list(holders),
    }


def holds(uscc: str, share: str = "60") -> dict[str, str]:
    return {"kind": "enterprise", "name": f"Holder {uscc[-4:]}", "uscc": uscc, "share": share}


async def test_register_read_masked_and_change_an_enterprise(
    client: httpx.AsyncClient,
    new_uscc: Callable[[], str],
    new_id_number: Callable[[], str],
    infra: Infra,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uscc, number = new_uscc(), new_id_number()
    body = enterprise("亦庄光电有限公司", [("张三", "legal_representative", number)])

    created = await client.put(f"/v1/enterprises/{uscc}", json=body, headers=WRITE)
    assert created.status_code == 201, created.text
    again = await client.put(f"/v1/enterprises/{uscc}", json=body, headers=WRITE)
    assert (again.status_code, again.json()["change"], again.json()["version"]) == (200, "unchanged", 1)

    public = (await client.get(f"/v1/enterprises/{uscc}", headers=READ)).json()
    person = public["responsible_persons"][0]
    assert person["id_number"] == number[:3] + "*" * 11 + number[-4:]
    assert person["person_ref"].startswith("p_")
    admin = (await client.get(f"/v1/enterprises/{uscc}", headers=ADMIN)).json()
    assert admin["responsible_persons"][0]["id_number"] == number

    body["status"] = "suspended"
    changed = await client.put(f"/v1/enterprises/{uscc}", json=body, headers=WRITE)
    assert (changed.status_code, changed.json()["version"], changed.json()["status"]) == (200, 2, "suspended")

    events = await read_events(infra.bootstrap, ENTERPRISES, lambda e: e.subject == uscc, count=2)
    assert [e.data["status"] for e in events] == ["active", "suspended"]  # the no-op PUT published nothing
    for event in events:
        assert number not in event.to_bytes().decode()
        assert event.data["responsible_persons"][0]["person_ref"] == person["person_ref"]
    captured = capsys.readouterr()
    assert number not in captured.out + captured.err
    assert number not in created.text


async def test_bad_inputs_are_refused_with_the_field(
    client: httpx.AsyncClient,
    new_uscc: Callable[[], str],
    new_id_number: Callable[[], str],
) -> None:
    uscc = new_uscc()
    bad_check = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    r = await client.put(f"/v1/enterprises/{bad_check}", json=enterprise("X"), headers=WRITE)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "uscc" and "校验位" in r.json()["detail"]
    r = await client.put(f"/v1/enterprises/{bad_check}", json=enterprise("X"), headers=WRITE | {"Accept-Language": "en"})
    assert r.json()["errors"][0]["field"] == "uscc" and "check character" in r.json()["detail"]

    wrong_id = new_id_number()[:-1] + "Y"
    r = await client.put(
        f"/v1/enterprises/{uscc}", json=enterprise("X", [("李四", "director", wrong_id)]), headers=WRITE
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["responsible_persons[0].id_number"]
    assert wrong_id not in r.text

    r = await client.put(f"/v1/enterprises/{uscc}", json=enterprise("X", holders=[holds(uscc, "120")]), headers=WRITE)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"shareholders[0].share"}

    r = await client.put(
        f"/v1/enterprises/{uscc}",
        content=b'{"name": "A\\u0000B"}',
        headers=WRITE | {"content-type": "application/json"},
    )
    assert r.status_code == 400

    assert (await client.put(f"/v1/enterprises/{uscc}", json=enterprise("X"))).status_code == 401
    assert (
        await client.put(f"/v1/enterprises/{uscc}", json=enterprise("X"), headers=token("filings:write"))
    ).status_code == 403
    assert (await client.get(f"/v1/enterprises/{uscc}", headers=READ)).status_code == 404


async def test_equity_links_direct_indirect_and_none(client: httpx.AsyncClient, new_uscc: Callable[[], str]) -> None:
    parent, child, grandchild, stranger = (new_uscc() for _ in range(4))
    for uscc, body in (
        (parent, enterprise("Parent")),
        (child, enterprise("Child", holders=[holds(parent)])),
        (grandchild, enterprise("Grandchild", holders=[holds(child, "51")])),
        (stranger, enterprise("Stranger")),
    ):
        assert (await client.put(f"/v1/enterprises/{uscc}", json=body, headers=WRITE)).status_code == 201

    async def link(x: str, y: str, depth: int | None = None) -> Any:
        params = {"depth": depth} if depth else {}
        r = await client.get(f"/v1/enterprises/{x}/equity-links/{y}", headers=READ, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    direct = await link(parent, child)
    assert direct["linked"] and direct["link"]["kind"] == "direct"
    indirect = await link(grandchild, parent)
    assert indirect["linked"] and indirect["link"]["kind"] == "indirect" and indirect["link"]["depth"] == 2
    assert [s["direction"] for s in indirect["link"]["steps"]] == ["held_by", "held_by"]
    assert not (await link(parent, grandchild, depth=1))["linked"]
    assert not (await link(parent, stranger))["linked"]


async def test_related_parties_with_reasons(
    client: httpx.AsyncClient,
    new_uscc: Callable[[], str],
    new_id_number: Callable[[], str],
) -> None:
    a, b, c, d = (new_uscc() for _ in range(4))
    boss = new_id_number()
    await client.put(
        f"/v1/enterprises/{a}", json=enterprise("A", [("王五", "legal_representative", boss)]), headers=WRITE
    )
    await client.put(f"/v1/enterprises/{b}", json=enterprise("B", holders=[holds(a)]), headers=WRITE)
    await client.put(f"/v1/enterprises/{c}", json=enterprise("C", [("王五", "manager", boss)]), headers=WRITE)
    await client.put(f"/v1/enterprises/{d}", json=enterprise("D"), headers=WRITE)

    r = await client.get(f"/v1/enterprises/{a}/related", headers=READ)
    assert r.status_code == 200, r.text
    related = {p["uscc"]: p for p in r.json()["related"]}
    assert set(related) == {b, c}
    assert related[b]["equity_link"]["kind"] == "direct" and related[b]["name"] == "B"
    assert related[c]["equity_link"] is None
    assert related[c]["shared_persons"][0]["roles_here"] == ["legal_representative"]
    assert boss not in r.text
