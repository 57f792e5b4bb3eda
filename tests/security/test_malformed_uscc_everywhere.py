"""Fail closed, across the whole system: 1,000 generated malformed USCCs — wrong check
characters, wrong lengths, characters outside the alphabet, in upper and lower case — sent to
every route of every service that takes a USCC in its path or query (found in the services' own
OpenAPI documents, so a new route is covered the day it is added). Not one answer may read as
"clear": each is a 422 naming the field, or a 404 problem; never a 2xx (a `restricted: false`, an
empty credit file, an empty list of parcels for that holder). `make test` sends 250 per route, of
every kind of malformation; `LANDGRADE_RELIABILITY=full` (`make test-reliability`) the 1,000."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from landgrade.testing import Infra, token
from landgrade_reference.uscc import ALPHABET, with_check_character
from servicekit.problems import MEDIA_TYPE
from tests.reliability.services import InProcess, in_process

pytestmark = [pytest.mark.infra]

COUNT = 1_000 if os.environ.get("LANDGRADE_RELIABILITY") == "full" else 250
USCC_NAMES = {"uscc", "other", "holder", "holder_uscc", "tenant_uscc", "recipient", "enterprise"}
ADMIN = token("admin")
FILL = {"list": "restricted"}  # a required parameter beside the USCC, given a valid value


def malformed(count: int, seed: int = 20261204) -> list[str]:
    rng = random.Random(seed)
    bad: list[str] = []
    while len(bad) < count:
        code = with_check_character("91110115" + "".join(rng.choice(ALPHABET) for _ in range(9)))
        kind = len(bad) % 5
        if kind == 0:  # one wrong character: the check character no longer fits
            position = rng.randrange(18)
            value = code[:position] + rng.choice(ALPHABET.replace(code[position], "")) + code[position + 1:]
        elif kind == 1:
            value = code[:rng.randrange(1, 18)]
        elif kind == 2:
            value = code + "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 4)))
        elif kind == 3:
            position = rng.randrange(18)
            value = code[:position] + rng.choice("IOZSV*!~é中") + code[position + 1:]
        else:
            position = rng.randrange(17)
            value = (code[:position] + rng.choice(ALPHABET.replace(code[position], "")) + code[position + 1:]).lower()
        bad.append(value)
    return bad


def uscc_routes(document: dict) -> list[tuple[str, str, list[str]]]:  # type: ignore[type-arg]
    """(path, where, names): each GET route taking a USCC in its path or query."""
    found = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        params = get.get("parameters", [])
        names = [p["name"] for p in params if p["name"] in USCC_NAMES or _format(p) == "uscc"]
        for where in ("path", "query"):
            chosen = [p["name"] for p in params if p["in"] == where and p["name"] in names]
            if chosen:
                found.append((path, where, chosen))
    return found


def _format(parameter: dict) -> str | None:  # type: ignore[type-arg]
    schema = parameter.get("schema", {})
    options = [schema, *schema.get("anyOf", [])]
    return next((o.get("format") for o in options if o.get("format")), None)


@pytest.fixture(scope="module")
async def services(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[InProcess]:
    async with in_process(infra, tmp_path_factory.mktemp("fail-closed")) as running:
        yield running


async def test_no_malformed_uscc_reads_as_clear_on_any_route_of_any_service(services: InProcess,
                                                                           tmp_path: Path) -> None:
    values = malformed(COUNT)
    covered: dict[str, int] = {}
    for name, app in services.apps.items():
        client = services.clients[name]
        for path, where, names in uscc_routes(app.openapi()):
            required = {p["name"] for p in app.openapi()["paths"][path]["get"].get("parameters", [])
                        if p.get("required") and p["in"] == "query"}
            fill = {n: FILL[n] for n in required - set(names)}

            async def ask(value: str, path: str = path, where: str = where, names: list[str] = names,
                          fill: dict[str, str] = fill, name: str = name, client: Any = client) -> None:
                url, params = path, dict(fill)
                for n in names:
                    if where == "path":
                        url = url.replace("{" + n + "}", quote(value, safe=""))
                    else:
                        params[n] = value
                url = url.replace("{parcel_id}", "YZ-2024-0001")  # any other path parameter: a plain id
                answer = await client.get(url, params=params, headers=ADMIN)
                assert answer.status_code in (404, 422), (name, path, value, answer.status_code, answer.text[:300])
                assert answer.headers["content-type"] == MEDIA_TYPE, (name, path, value)
                if answer.status_code == 422:
                    fields = {e.get("field") for e in answer.json().get("errors", [])}
                    assert fields & set(names), (name, path, value, answer.text[:300])

            for start in range(0, COUNT, 50):  # fifty at a time, as a busy approval system would send them
                await asyncio.gather(*(ask(v) for v in values[start:start + 50]))
            answered = COUNT
            covered[f"{name} GET {path} ({where})"] = answered
    print(f"\n{COUNT} malformed USCCs on {len(covered)} routes: " + ", ".join(covered))
    assert len(covered) >= 5, covered  # benefits, credit file, enterprise, related parties, parcels by holder
    assert all(n == COUNT for n in covered.values())
