"""Parcel outlines: valid WGS-84 polygons the registry accepts, inside their street's block
around Yizhuang, never overlapping, sized by the parcel's area."""

from __future__ import annotations

import random
from typing import Any

from landgrade.demo import layout
from parcel_registry.domain.geometry import geometry_problem
from tests.demo.conftest import Demo

Box = tuple[float, float, float, float]


def _box(geometry: dict[str, Any]) -> Box:
    ring = geometry["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def _overlapping(boxes: list[Box]) -> list[tuple[int, int]]:
    """Pairs of boxes whose interiors intersect (a sweep over west edges)."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    active: list[int] = []
    out = []
    for i in order:
        west, south, _east, north = boxes[i]
        active = [j for j in active if boxes[j][2] > west]
        out += [(j, i) for j in active if boxes[j][1] < north and south < boxes[j][3]]
        active.append(i)
    return out


def test_outlines_are_polygons_the_registry_accepts(demo: Demo) -> None:
    for parcel in demo.data.parcels:
        assert geometry_problem(parcel["geometry"]) is None
        assert len(parcel["geometry"]["coordinates"][0]) == 5


def test_outlines_lie_in_their_streets_block_within_yizhuang(demo: Demo) -> None:
    blocks = layout.blocks()
    for parcel in demo.data.parcels:
        west, south, east, north = _box(parcel["geometry"])
        block = blocks[parcel["street"]]
        assert block.contains(west, south) and block.contains(east, north), parcel["parcel_id"]
    for block in blocks.values():
        assert 116.50 <= block.west < block.east <= 116.60 and 39.76 <= block.south < block.north <= 39.82
    assert _overlapping([(b.west, b.south, b.east, b.north) for b in blocks.values()]) == []


def test_outlines_never_overlap(demo: Demo) -> None:
    boxes = [_box(p["geometry"]) for p in demo.data.parcels]
    assert _overlapping(boxes) == []


def test_the_overlap_check_finds_an_overlap() -> None:
    assert _overlapping([(0, 0, 2, 2), (5, 5, 6, 6), (1, 1, 3, 3)]) == [(0, 2)]


def test_outlines_are_sized_by_the_parcels_area(demo: Demo) -> None:
    ratios: dict[str, list[float]] = {}
    for parcel in demo.data.parcels:
        west, south, east, north = _box(parcel["geometry"])
        drawn = (east - west) * layout.M_PER_DEG_LON * (north - south) * layout.M_PER_DEG_LAT
        ratios.setdefault(parcel["street"], []).append(drawn / float(parcel["area_m2"]))
    for street in ratios.values():  # one scale per street, never larger than life
        assert max(street) <= 1.001 and max(street) / min(street) < 1.001
    assert sum(1 for street in ratios.values() if min(street) > 0.999) >= 5  # most at full size


def test_a_crowded_street_is_scaled_down_to_fit_its_block() -> None:
    rng = random.Random(5)
    block = layout.blocks()["ronghua"]
    sizes = [layout.footprint(rng.uniform(3_000, 300_000), rng.uniform(0.7, 1.6)) for _ in range(3000)]
    street = layout.StreetLayout(block, sizes)
    boxes = [_box(street.place(w, h)) for w, h in sizes]
    assert street.scale < 0.5
    assert all(block.contains(b[0], b[1]) and block.contains(b[2], b[3]) for b in boxes)
    assert _overlapping(boxes) == []
