"""Outlines from a zipped CGCS2000 shapefile through the REST API, on a real PostgreSQL and Kafka:
stored in WGS 84 where the Gauss-Krüger inverse puts them, recorded with the reason, announced as
parcel changes; a file with any problem refused whole, with nothing written."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pyproj import CRS, Transformer

from landgrade.testing import Infra, read_events, token
from landgrade_events.registry import PARCELS

pytestmark = pytest.mark.infra

CLERK = token("parcels:write", subject="surveyor-li")
READ = token("registry:read")
EN = {"Accept-Language": "en"}
E, N = 39_457_000.0, 4_407_400.0
REASON = "2026 年地籍测量成果（测绘报告 CH-2026-031）"


def rect(x: float, y: float, w: float, h: float) -> list[tuple[float, float]]:
    return [(x, y), (x, y + h), (x + w, y + h), (x + w, y), (x, y)]


async def register(client: httpx.AsyncClient, holder: str, area_m2: str) -> str:
    pid = f"YZ-{uuid.uuid4().hex[:8]}"
    body = {"name": "精密光学制造基地", "street": "荣华街道", "area_m2": area_m2, "category": "approved_park",
            "rights_holder": holder}
    assert (await client.put(f"/v1/parcels/{pid}", json=body, headers=CLERK)).status_code == 201
    return pid


async def post(client: httpx.AsyncClient, data: bytes, headers: dict[str, str] | None = None,
               **fields: str) -> httpx.Response:
    form = {"match_field": "DKBH", "reason": REASON} | fields
    return await client.post("/v1/parcels/outlines", files={"file": ("parcels.zip", data, "application/zip")},
                             data=form, headers=CLERK | (headers or {}))


async def test_a_cgcs2000_shapefile_of_three_parcels_lands_on_the_right_wgs84_coordinates(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], infra: Infra,
    shapefile_zip: Callable[..., bytes], gk_inverse: Callable[[float, float], tuple[float, float]],
) -> None:
    holder = new_uscc()
    # The ledger says 10 000, 20 000 and 10 000 m²; the survey finds about 10 000, 20 000 and 12 000.
    a, b, c = [await register(client, holder, area) for area in ("10000", "20000", "10000")]
    rings = {a: rect(E, N, 100, 100), b: rect(E + 100, N, 200, 100), c: rect(E, N + 500, 150, 80)}
    sent = await post(client, shapefile_zip([(pid, [ring]) for pid, ring in rings.items()]))
    assert sent.status_code == 200, sent.text
    answer = {p["parcel_id"]: p for p in sent.json()["parcels"]}
    assert sent.json()["updated"] == 3
    assert [answer[pid]["area_warning"] for pid in (a, b, c)] == [False, False, True]
    # 150 m × 80 m on the grid is 11 999.46 m² on the ellipsoid (the zone's scale is 1.0000225 here).
    assert (answer[c]["ledger_area_m2"], answer[c]["difference_pct"]) == ("10000", "19.99")
    assert float(answer[a]["outline_area_m2"]) == pytest.approx(10_000, abs=1)

    independent = Transformer.from_crs(CRS.from_epsg(4527), CRS.from_epsg(4326), always_xy=True)
    for pid, ring in rings.items():
        stored = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()
        assert stored["geometry"]["type"] == "Polygon" and stored["version"] == 2
        for (lon, lat), (x, y) in zip(stored["geometry"]["coordinates"][0], ring, strict=True):
            assert (lon, lat) == pytest.approx(gk_inverse(x, y), abs=1e-7)  # closed form, no pyproj
            assert (lon, lat) == pytest.approx(independent.transform(x, y), abs=1e-7)
            assert 116.4 < lon < 116.6 and 39.7 < lat < 39.9  # longitude first, in 亦庄

    again = await post(client, shapefile_zip([(pid, [ring]) for pid, ring in rings.items()]))
    assert again.json()["updated"] == 0  # the same file again: the same outlines, no new version
    assert {p["change"] for p in again.json()["parcels"]} == {"unchanged"}

    latest = (await client.get(f"/v1/parcels/{c}/history", params={"limit": 1}, headers=READ)).json()["items"][0]
    assert (latest["kind"], latest["actor"], latest["reason"]) == ("changed", "surveyor-li", REASON)
    assert list(latest["changes"]) == ["geometry"]
    events = await read_events(infra.bootstrap, PARCELS,
                               lambda e: e.subject in rings and e.data["version"] == 2, count=3, timeout=15)
    assert sorted(e.subject for e in events) == sorted(rings)


async def test_overlaps_a_bow_tie_and_an_unknown_parcel_refuse_the_file_and_nothing_is_written(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], shapefile_zip: Callable[..., bytes],
) -> None:
    holder = new_uscc()
    a, b, c = [await register(client, holder, "10000") for _ in range(3)]
    ghost = f"YZ-{uuid.uuid4().hex[:8]}"
    bow_tie = [(E, N + 900), (E + 50, N + 950), (E + 50, N + 900), (E, N + 950), (E, N + 900)]
    data = shapefile_zip([(a, [rect(E, N, 100, 100)]), (b, [rect(E + 60, N, 100, 100)]),  # b overlaps a
                          (c, [bow_tie]), (ghost, [rect(E, N + 2000, 10, 10)])])
    refused = await post(client, data)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["type"].endswith("/outlines-refused") and body["title"] == "轮廓导入被拒绝"
    found = [(e["feature"], e["parcel_id"], e["code"]) for e in body["errors"]]
    assert found == [(1, b, "overlap"), (2, c, "self-intersecting"), (3, ghost, "unknown-parcel")]
    assert a in body["errors"][0]["message"] and b in body["errors"][0]["message"]  # both parcels named
    assert body["errors"][2]["message"] == f"地块 {ghost} 不在台账中。"
    english = (await post(client, data, EN)).json()
    assert english["errors"][2]["message"] == f"Parcel {ghost} is not in the ledger."

    # Good outlines of two parcels beside one of a parcel not in the ledger: still nothing written.
    only_ghost = await post(client, shapefile_zip([(a, [rect(E, N, 100, 100)]), (b, [rect(E + 100, N, 100, 100)]),
                                                   (ghost, [rect(E, N + 2000, 10, 10)])]))
    assert [(e["feature"], e["code"]) for e in only_ghost.json()["errors"]] == [(2, "unknown-parcel")]

    for pid in (a, b, c):
        stored = (await client.get(f"/v1/parcels/{pid}", headers=READ)).json()
        assert (stored["geometry"], stored["version"]) == (None, 1)
        history = (await client.get(f"/v1/parcels/{pid}/history", headers=READ)).json()["items"]
        assert [h["kind"] for h in history] == ["registered"]


async def test_the_form_is_checked_field_by_field(
    client: httpx.AsyncClient, new_uscc: Callable[[], str], shapefile_zip: Callable[..., bytes],
) -> None:
    pid = await register(client, new_uscc(), "10000")
    data = shapefile_zip([(pid, [rect(E, N, 100, 100)])], prj=None)

    def fields(answer: httpx.Response) -> list[Any]:
        return [e.get("field") for e in answer.json()["errors"]]

    no_reason = await post(client, data, reason=" ", epsg="4527")
    assert (no_reason.status_code, fields(no_reason)) == (422, ["reason"])
    bad_epsg = await post(client, data, epsg="CGCS2000")
    assert (bad_epsg.status_code, fields(bad_epsg)) == (422, ["epsg"])
    no_prj = await post(client, data)
    assert no_prj.status_code == 422 and no_prj.json()["errors"][0]["code"] == "unknown-crs"
    not_zip = await post(client, b"DKBH,geometry\n", epsg="4527")
    assert (not_zip.status_code, fields(not_zip)) == (422, ["file"])
    unscoped = await client.post("/v1/parcels/outlines", files={"file": ("p.zip", data)},
                                 data={"match_field": "DKBH", "reason": REASON, "epsg": "4527"}, headers=READ)
    assert unscoped.status_code == 403
    stated = await post(client, data, epsg="4527")
    assert stated.status_code == 200 and stated.json()["parcels"][0]["parcel_id"] == pid
