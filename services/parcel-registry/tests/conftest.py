"""Zipped shapefiles as a land office sends them, written in the test with pyshp: rectangles in
CGCS2000 / 3-degree Gauss-Krüger zone 39 (EPSG:4527, central meridian 117°E, false easting
39 500 000 m) near 116.5°E 39.8°N, with the .prj pyproj writes in ESRI WKT1."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import shapefile
from pyproj import CRS

# Around 116.5°E 39.8°N (亦庄) in zone 39: easting, northing in metres.
EAST, NORTH = 39_457_000.0, 4_407_400.0
Ring = list[tuple[float, float]]


def rectangle(x: float, y: float, width: float, height: float) -> Ring:
    """Clockwise, as a shapefile's outer ring is."""
    return [(x, y), (x, y + height), (x + width, y + height), (x + width, y), (x, y)]


def bow_tie(x: float, y: float, size: float) -> Ring:
    return [(x, y), (x + size, y + size), (x + size, y), (x, y + size), (x, y)]


ZipMaker = Callable[..., bytes]


def make_zip(features: Sequence[tuple[str | None, Sequence[Ring] | None]], field: str = "DKBH",
             prj: str | None = "4527", points: bool = False, cpg: str | None = "UTF-8") -> bytes:
    """A zip of parcels.shp/.shx/.dbf (+ .prj, .cpg): each feature (parcel id or None for a
    blank, rings or None for a null shape). `prj` is an EPSG code written as ESRI WKT, raw
    text, or None for no .prj."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POINT if points else shapefile.POLYGON)
    writer.field(field, "C", 20)
    writer.field("MJ", "N", 12, 2)
    for pid, rings in features:
        if rings is None:
            writer.null()
        elif points:
            writer.point(*rings[0][0])
        else:
            writer.poly([list(r) for r in rings])
        writer.record(pid, 0)
    writer.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("parcels.shp", shp.getvalue())
        z.writestr("parcels.shx", shx.getvalue())
        z.writestr("parcels.dbf", dbf.getvalue())
        if prj is not None:
            text = CRS.from_epsg(int(prj)).to_wkt(version="WKT1_ESRI") if prj.isdigit() else prj
            z.writestr("parcels.prj", text)
        if cpg is not None:
            z.writestr("parcels.cpg", cpg)
    return out.getvalue()


@pytest.fixture
def shapefile_zip() -> ZipMaker:
    return make_zip


# CGCS2000's ellipsoid (GRS 80's a, its own flattening).
A, INV_F = 6_378_137.0, 298.257222101


def gauss_kruger_inverse(easting: float, northing: float, central_meridian: float = 117.0,
                         false_easting: float = 39_500_000.0) -> tuple[float, float]:
    """(longitude, latitude) in degrees of a Gauss-Krüger point, in closed form (Snyder, Map
    Projections: A Working Manual, eqs. 8-18 to 8-25, k0 = 1): independent of pyproj. Within
    half a degree of the central meridian its series terms left out are below 1e-12 degree."""
    f = 1 / INV_F
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    x = easting - false_easting
    mu = northing / (A * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
    e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
    phi1 = (mu + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
            + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
            + (151 * e1**3 / 96) * math.sin(6 * mu) + (1097 * e1**4 / 512) * math.sin(8 * mu))
    sin1, cos1, tan1 = math.sin(phi1), math.cos(phi1), math.tan(phi1)
    c1, t1 = ep2 * cos1**2, tan1**2
    n1 = A / math.sqrt(1 - e2 * sin1**2)
    r1 = A * (1 - e2) / (1 - e2 * sin1**2) ** 1.5
    d = x / n1
    lat = phi1 - (n1 * tan1 / r1) * (
        d**2 / 2 - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
        + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720)
    lon = (d - (1 + 2 * t1 + c1) * d**3 / 6
           + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120) / cos1
    return central_meridian + math.degrees(lon), math.degrees(lat)


@pytest.fixture
def gk_inverse() -> Callable[[float, float], tuple[float, float]]:
    return gauss_kruger_inverse


def positions(geometry: Any) -> list[list[float]]:
    """Every position of a GeoJSON Polygon's outer ring."""
    ring: list[list[float]] = geometry["coordinates"][0]
    return ring
