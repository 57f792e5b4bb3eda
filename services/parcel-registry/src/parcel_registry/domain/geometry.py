"""Shape checks for a parcel's optional GeoJSON outline (a Polygon or MultiPolygon, WGS 84)."""

from __future__ import annotations

from collections.abc import Mapping


def _ring_problem(ring: object) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "each ring needs at least 4 positions"
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position)
        ):
            return "each position must be [longitude, latitude]"
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return "positions must be longitude/latitude in degrees"
    if ring[0] != ring[-1]:
        return "each ring must end where it starts"
    return None


def _polygon_problem(polygon: object) -> str | None:
    if not isinstance(polygon, list) or not polygon:
        return "a polygon is a non-empty list of rings"
    for ring in polygon:
        problem = _ring_problem(ring)
        if problem:
            return problem
    return None


def geometry_problem(geometry: object) -> str | None:
    if not isinstance(geometry, Mapping):
        return "must be a GeoJSON object"
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return _polygon_problem(coordinates)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            return "a MultiPolygon is a non-empty list of polygons"
        for polygon in coordinates:
            problem = _polygon_problem(polygon)
            if problem:
                return problem
        return None
    return "must be a GeoJSON Polygon or MultiPolygon"
