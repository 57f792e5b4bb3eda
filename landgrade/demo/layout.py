"""Parcel outlines for the demo: WGS-84 rectangles laid out in rows inside a block of their own
street or town, around Yizhuang (116.50-116.60 E, 39.76-39.82 N).

Invariants the map relies on: every block lies inside that box and blocks do not touch; every
outline lies inside its street's block; outlines never overlap (a road of at least `MIN_GAP_M`
separates neighbours); an outline's area is its parcel's area times the block's one scale, which
is 1 unless a street holds more land than its block (large `--parcels`), then the largest that
fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

WEST, EAST, SOUTH, NORTH = 116.50, 116.60, 39.76, 39.82
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians((SOUTH + NORTH) / 2))
# Roughly as the streets and towns lie: the northern row west to east, then the southern one.
ROWS = (("jiugong", "ronghua", "boxing", "taihu", "majuqiao"),
        ("yinghai", "yizhuang", "qingyundian", "zhangziying", "caiyu"))
BLOCK_MARGIN_DEG = 0.0008  # the strip between two blocks (a boundary road)
ROAD_M = 24.0  # between neighbouring parcels at full scale
MIN_GAP_M = 6.0
FILL = 0.55  # at most this share of a block is parcels; the rest is roads and green


@dataclass(frozen=True)
class Block:
    street: str
    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    @property
    def width_m(self) -> float:
        return (self.east - self.west) * M_PER_DEG_LON

    @property
    def height_m(self) -> float:
        return (self.north - self.south) * M_PER_DEG_LAT

    def polygon(self) -> dict[str, Any]:
        return rectangle(self.west, self.south, self.east, self.north)


def blocks() -> dict[str, Block]:
    """Each street or town's block (the map can draw them as its boundaries without tiles)."""
    out = {}
    width = (EAST - WEST) / len(ROWS[0])
    height = (NORTH - SOUTH) / len(ROWS)
    for row, streets in enumerate(ROWS):
        north = NORTH - row * height
        for column, street in enumerate(streets):
            west = WEST + column * width
            out[street] = Block(street, west + BLOCK_MARGIN_DEG / 2, north - height + BLOCK_MARGIN_DEG / 2,
                                west + width - BLOCK_MARGIN_DEG / 2, north - BLOCK_MARGIN_DEG / 2)
    return out


def rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A GeoJSON Polygon, exterior ring counter-clockwise (RFC 7946)."""
    w, s, e, n = (round(v, 7) for v in (west, south, east, north))
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def footprint(area_m2: float, aspect: float) -> tuple[float, float]:
    """Width and depth in metres of a rectangle of `area_m2` with width/depth `aspect`."""
    return math.sqrt(area_m2 * aspect), math.sqrt(area_m2 / aspect)


class StreetLayout:
    """Lays one street's parcels in rows, west to east, from the block's north edge southwards,
    in the order `place` is called (the order of `sizes`)."""

    def __init__(self, block: Block, sizes: list[tuple[float, float]]) -> None:
        self.block = block
        total = sum(w * h for w, h in sizes) or 1.0
        scale = min(1.0, math.sqrt(FILL * block.width_m * block.height_m / total))
        while not self._fits(sizes, scale):
            scale *= 0.95
        self.scale = scale
        self._gap = max(MIN_GAP_M, ROAD_M * scale)
        self._x = self._y = self._row = 0.0

    def _fits(self, sizes: list[tuple[float, float]], scale: float) -> bool:
        gap, x, y, row = max(MIN_GAP_M, ROAD_M * scale), 0.0, 0.0, 0.0
        for w, h in sizes:
            w, h = w * scale, h * scale
            if w > self.block.width_m - 2 * gap:
                return False
            if x + gap + w > self.block.width_m - gap:
                x, y, row = 0.0, y + row + gap, 0.0
            x, row = x + gap + w, max(row, h)
        return y + row + 2 * gap <= self.block.height_m

    def place(self, width_m: float, depth_m: float) -> dict[str, Any]:
        w, h, gap = width_m * self.scale, depth_m * self.scale, self._gap
        if self._x + gap + w > self.block.width_m - gap:
            self._x, self._y, self._row = 0.0, self._y + self._row + gap, 0.0
        left, top = self._x + gap, self._y + gap
        self._x, self._row = left + w, max(self._row, h)
        west = self.block.west + left / M_PER_DEG_LON
        north = self.block.north - top / M_PER_DEG_LAT
        return rectangle(west, north - h / M_PER_DEG_LAT, west + w / M_PER_DEG_LON, north)
