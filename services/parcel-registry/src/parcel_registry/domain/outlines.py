"""Parcel outlines (宗地轮廓) from a land office's shapefile: which feature is which parcel, whether
each outline is a simple polygon, whether two outlines overlap, and how far an outline's area is
from the ledger's. Pure: the features arrive read and the areas computed (adapters/shapefiles.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

# An outline this far from the ledger's area (either way) is reported for a land officer to look
# at; it is a warning, never a refusal: the survey may be newer than the ledger.
AREA_WARNING_PCT = Decimal(5)
# Two outlines that share an edge touch; they overlap when the shared area is more than this part
# of the smaller one (relative, so it holds in metres and in degrees alike).
OVERLAP_SHARE = 1e-6
POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class OutlineProblem:
    """Why one feature (0-based, in file order) cannot become its parcel's outline; `feature` is
    None for a problem of the whole file (its CRS)."""

    feature: int | None
    parcel_id: str | None
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Feature:
    """One record of the shapefile as read: its attributes and its GeoJSON geometry in the file's
    own CRS (None for a null shape), and its shape type's name."""

    index: int
    attributes: Mapping[str, Any]
    geometry: Mapping[str, Any] | None
    shape_type: str


@dataclass(frozen=True)
class Outline:
    feature: int
    parcel_id: str
    shape: BaseGeometry  # in the file's CRS


def parcel_id_of(feature: Feature, match_field: str) -> str | None:
    value = feature.attributes.get(match_field)
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return text.strip() or None


def _shape_problem(feature: Feature, pid: str) -> tuple[BaseGeometry | None, OutlineProblem | None]:
    def problem(code: str, zh: str, en: str) -> tuple[None, OutlineProblem]:
        return None, OutlineProblem(feature.index, pid, code, zh, en)

    if feature.geometry is None or feature.geometry.get("type") not in POLYGON_TYPES:
        return problem("not-a-polygon", f"要素不是面（多边形），而是 {feature.shape_type}。",
                       f"The feature is no polygon but {feature.shape_type}.")
    try:
        geometry = shape(feature.geometry)
    except (ValueError, TypeError, shapely.errors.ShapelyError):
        return problem("invalid-outline", "要素的坐标无法构成多边形。", "The feature's coordinates make no polygon.")
    if geometry.is_empty or not isinstance(geometry, Polygon | MultiPolygon):
        return problem("not-a-polygon", "要素不是面（多边形）。", "The feature is no polygon.")
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        if "Self-intersection" in reason:
            return problem("self-intersecting", f"轮廓自相交（{reason}）。",
                           f"The outline intersects itself ({reason}).")
        return problem("invalid-outline", f"轮廓无效（{reason}）。", f"The outline is not a valid polygon ({reason}).")
    return geometry, None


def check_features(features: Sequence[Feature], match_field: str) -> tuple[list[Outline], list[OutlineProblem]]:
    """The features as outlines of the parcels they name, and every problem found: a feature
    without the match field, a shape that is no simple polygon, one parcel named twice, two
    outlines that overlap (both parcel ids named)."""
    outlines: list[Outline] = []
    problems: list[OutlineProblem] = []
    first_of: dict[str, int] = {}
    for feature in features:
        pid = parcel_id_of(feature, match_field)
        if pid is None:
            problems.append(OutlineProblem(feature.index, None, "missing-match-field",
                                           f"要素缺少匹配字段 {match_field} 的值。",
                                           f"The feature has no value in the match field {match_field}."))
            continue
        if pid in first_of:
            problems.append(OutlineProblem(feature.index, pid, "duplicate-parcel",
                                           f"地块 {pid} 已由第 {first_of[pid]} 个要素给出轮廓。",
                                           f"Parcel {pid} already has an outline in feature {first_of[pid]}."))
            continue
        first_of[pid] = feature.index
        geometry, problem = _shape_problem(feature, pid)
        if problem is not None:
            problems.append(problem)
        elif geometry is not None:
            outlines.append(Outline(feature.index, pid, geometry))
    return outlines, problems + overlaps(outlines)


def overlaps(outlines: Sequence[Outline]) -> list[OutlineProblem]:
    """One problem per pair of outlines whose interiors share area (a shared edge is no overlap)."""
    tree = shapely.STRtree([o.shape for o in outlines])
    found: list[OutlineProblem] = []
    for i, outline in enumerate(outlines):
        for j in sorted(int(k) for k in tree.query(outline.shape) if k > i):
            other = outlines[j]
            shared = outline.shape.intersection(other.shape).area
            if shared > OVERLAP_SHARE * min(outline.shape.area, other.shape.area):
                a, b = outline.parcel_id, other.parcel_id
                found.append(OutlineProblem(
                    other.feature, b, "overlap",
                    f"地块 {b} 的轮廓与地块 {a} 的轮廓（第 {outline.feature} 个要素）重叠。",
                    f"The outline of parcel {b} overlaps the outline of parcel {a} (feature {outline.feature})."))
    return found


def named_parcels(features: Sequence[Feature], match_field: str) -> dict[str, int]:
    """Each parcel id the file names, with the first feature naming it."""
    named: dict[str, int] = {}
    for feature in features:
        if (pid := parcel_id_of(feature, match_field)) is not None:
            named.setdefault(pid, feature.index)
    return named


def unknown_parcels(named: Mapping[str, int], known: set[str]) -> list[OutlineProblem]:
    """Fail closed: a feature naming no parcel of the ledger is refused, never set aside."""
    return [OutlineProblem(feature, pid, "unknown-parcel", f"地块 {pid} 不在台账中。",
                           f"Parcel {pid} is not in the ledger.")
            for pid, feature in named.items() if pid not in known]


def in_file_order(problems: Sequence[OutlineProblem]) -> list[OutlineProblem]:
    """Problems of the whole file first, then by feature (stable within one feature)."""
    return sorted(problems, key=lambda p: -1 if p.feature is None else p.feature)


@dataclass(frozen=True)
class AreaComparison:
    outline_m2: Decimal
    ledger_m2: Decimal
    difference_pct: Decimal  # (outline - ledger) / ledger, signed
    over_threshold: bool


def compare_area(outline_m2: float, ledger_m2: Decimal, threshold_pct: Decimal = AREA_WARNING_PCT) -> AreaComparison:
    measured = Decimal(repr(outline_m2)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    difference = ((measured - ledger_m2) / ledger_m2 * 100).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    return AreaComparison(measured, ledger_m2, difference, abs(difference) > threshold_pct)


def as_geojson(geometry: BaseGeometry, digits: int = 9) -> dict[str, Any]:
    """A Polygon or MultiPolygon as GeoJSON with list coordinates (the ledger's geometry checks
    want lists), rounded to `digits` decimals (1e-9 degree is about 0.1 mm)."""

    def ring(coords: Any) -> list[list[float]]:
        return [[round(x, digits), round(y, digits)] for x, y, *_ in coords]

    def polygon(p: Polygon) -> list[list[list[float]]]:
        return [ring(p.exterior.coords), *(ring(i.coords) for i in p.interiors)]

    if isinstance(geometry, Polygon):
        return {"type": "Polygon", "coordinates": polygon(geometry)}
    if isinstance(geometry, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [polygon(p) for p in geometry.geoms]}
    raise TypeError(f"not a polygon: {geometry.geom_type}")
