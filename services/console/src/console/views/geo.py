"""The map's one request: a GeoJSON FeatureCollection of a street's parcels with their current
grade, and each street's outline and label, so the map reads without any basemap.

A parcel without an outline is counted (`without_outline`), never placed somewhere invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

GRADES = ("A", "B", "C", "D")


def _positions(geometry: dict[str, Any]) -> Iterable[tuple[float, float]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for polygon in polygons:
        for ring in polygon:
            for position in ring:
                yield float(position[0]), float(position[1])


def feature_collection(parcels: list[dict[str, Any]], grades: dict[str, dict[str, Any]],
                       names: dict[str, str] | None = None) -> dict[str, Any]:
    """`grades` by parcel id (the evaluation's list items); `names` the holders' names by USCC."""
    features: list[dict[str, Any]] = []
    boxes: dict[str, list[float]] = {}
    without_outline = 0
    counts = {g: 0 for g in (*GRADES, "none")}
    for parcel in parcels:
        graded = grades.get(parcel["parcel_id"])
        grade = graded["grade"] if graded else None
        counts[grade or "none"] += 1
        geometry = parcel.get("geometry")
        if not geometry:
            without_outline += 1
            continue
        features.append({"type": "Feature", "id": parcel["parcel_id"], "geometry": geometry, "properties": {
            "parcel_id": parcel["parcel_id"], "name": parcel.get("name"), "street": parcel.get("street"),
            "category": parcel.get("category"), "hectares": parcel.get("hectares"),
            "holder_uscc": parcel.get("rights_holder"),
            "holder_name": (names or {}).get(parcel.get("rights_holder") or ""),
            "grade": grade, "status": graded.get("status") if graded else None,
        }})
        box = boxes.setdefault(parcel.get("street") or "", [180.0, 90.0, -180.0, -90.0])
        for lon, lat in _positions(geometry):
            box[0], box[1], box[2], box[3] = min(box[0], lon), min(box[1], lat), max(box[2], lon), max(box[3], lat)
    return {"type": "FeatureCollection", "features": features, "counts": counts,
            "without_outline": without_outline, "streets": [street_outline(s, b) for s, b in sorted(boxes.items())]}


def street_outline(street: str, box: list[float], margin: float = 0.002) -> dict[str, Any]:
    """A street drawn as the rectangle around its parcels, labelled at its centre."""
    west, south, east, north = box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"street": street, "label": [(south + north) / 2, (west + east) / 2]}}
