"""Outlines from a zipped shapefile: the pure checks (which feature is which parcel, simple
polygons, overlaps, the area comparison) and the reading and reprojection, without a database."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from pyproj import CRS, Transformer

from parcel_registry.domain.outlines import (
    Feature,
    as_geojson,
    check_features,
    compare_area,
    named_parcels,
    unknown_parcels,
)
from parcel_registry.service_layer.outlines import (
    OutlineLimits,
    ShapefileTooLarge,
    UnreadableShapefile,
    check_outlines,
)

ZipMaker = Callable[..., bytes]
E, N = 39_457_000.0, 4_407_400.0


def rect(x: float, y: float, w: float, h: float) -> list[tuple[float, float]]:
    return [(x, y), (x, y + h), (x + w, y + h), (x + w, y), (x, y)]


def polygon(index: int, pid: str | None, *rings: list[tuple[float, float]]) -> Feature:
    geometry = {"type": "Polygon", "coordinates": [list(r) for r in rings]}
    return Feature(index, {"DKBH": pid} if pid is not None else {}, geometry, "POLYGON")


def codes(problems: list[Any]) -> list[tuple[int | None, str | None, str]]:
    return [(p.feature, p.parcel_id, p.code) for p in problems]


def test_neighbours_sharing_an_edge_are_outlines_of_their_parcels() -> None:
    outlines, problems = check_features(
        [polygon(0, "YZ-1", rect(0, 0, 100, 50)), polygon(1, "YZ-2", rect(100, 0, 100, 50))], "DKBH")
    assert problems == []
    assert [(o.feature, o.parcel_id, o.shape.area) for o in outlines] == [(0, "YZ-1", 5000.0), (1, "YZ-2", 5000.0)]


def test_every_problem_is_listed_with_its_feature_and_parcel() -> None:
    features = [
        polygon(0, "YZ-1", rect(0, 0, 100, 100)),
        polygon(1, "YZ-2", rect(90, 0, 100, 100)),  # overlaps YZ-1 by 10 m
        polygon(2, "YZ-3", [(500, 0), (600, 100), (600, 0), (500, 100), (500, 0)]),  # a bow-tie
        polygon(3, None, rect(1000, 0, 10, 10)),
        polygon(4, "  ", rect(2000, 0, 10, 10)),
        Feature(5, {"DKBH": "YZ-5"}, {"type": "Point", "coordinates": (1, 2)}, "POINT"),
        Feature(6, {"DKBH": "YZ-6"}, None, "NULL"),
        polygon(7, "YZ-1", rect(3000, 0, 10, 10)),
    ]
    outlines, problems = check_features(features, "DKBH")
    assert codes(problems) == [
        (2, "YZ-3", "self-intersecting"), (3, None, "missing-match-field"), (4, None, "missing-match-field"),
        (5, "YZ-5", "not-a-polygon"), (6, "YZ-6", "not-a-polygon"), (7, "YZ-1", "duplicate-parcel"),
        (1, "YZ-2", "overlap"),
    ]
    overlap = problems[-1]
    assert "YZ-1" in overlap.zh and "YZ-2" in overlap.zh and overlap.zh.startswith("地块")
    assert [o.parcel_id for o in outlines] == ["YZ-1", "YZ-2"]


def test_an_outline_inside_another_overlaps_it() -> None:
    _, problems = check_features([polygon(0, "YZ-1", rect(0, 0, 100, 100)), polygon(1, "YZ-2", rect(10, 10, 5, 5))],
                                 "DKBH")
    assert codes(problems) == [(1, "YZ-2", "overlap")]


def test_a_numeric_match_field_names_the_parcel_without_a_decimal_point() -> None:
    feature = Feature(0, {"DKBH": 1024.0}, {"type": "Polygon", "coordinates": [rect(0, 0, 1, 1)]}, "POLYGON")
    outlines, problems = check_features([feature], "DKBH")
    assert problems == [] and outlines[0].parcel_id == "1024"


def test_a_feature_naming_a_parcel_not_in_the_ledger_is_refused() -> None:
    features = [polygon(0, "YZ-1", rect(0, 0, 1, 1)), polygon(1, "YZ-9", rect(5, 5, 1, 1)),
                polygon(2, "YZ-8", [(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])]
    assert codes(unknown_parcels(named_parcels(features, "DKBH"), {"YZ-1"})) == [
        (1, "YZ-9", "unknown-parcel"), (2, "YZ-8", "unknown-parcel")]


@pytest.mark.parametrize(("measured", "ledger", "pct", "warned"), [
    (10_600.0, "10000", "6.00", True),
    (9_400.0, "10000", "-6.00", True),
    (10_500.0, "10000", "5.00", False),  # exactly 5 % is within
    (10_000.004, "10000", "0.00", False),
])
def test_an_area_off_the_ledgers_by_more_than_5_percent_is_flagged(
        measured: float, ledger: str, pct: str, warned: bool) -> None:
    found = compare_area(measured, Decimal(ledger))
    assert (str(found.difference_pct), found.over_threshold) == (pct, warned)


def test_geojson_has_list_positions_and_holes() -> None:
    outlines, _ = check_features([polygon(0, "YZ-1", rect(0, 0, 10, 10), rect(2, 2, 2, 2))], "DKBH")
    geometry = as_geojson(outlines[0].shape)
    assert geometry["type"] == "Polygon" and len(geometry["coordinates"]) == 2
    assert all(isinstance(p, list) for ring in geometry["coordinates"] for p in ring)


def three_parcels() -> list[tuple[str, list[list[tuple[float, float]]]]]:
    return [("YZ-A", [rect(E, N, 100, 100)]), ("YZ-B", [rect(E + 100, N, 200, 100)]),
            ("YZ-C", [rect(E, N + 500, 150, 80)])]


def test_a_cgcs2000_gauss_kruger_zip_lands_on_the_closed_form_wgs84_points(
        shapefile_zip: ZipMaker, gk_inverse: Callable[[float, float], tuple[float, float]]) -> None:
    checked = check_outlines(shapefile_zip(three_parcels()), "DKBH", None, OutlineLimits()).outlines
    assert [c.outline.parcel_id for c in checked] == ["YZ-A", "YZ-B", "YZ-C"]
    for c, (_, rings) in zip(checked, three_parcels(), strict=True):
        got = as_geojson(c.outline.shape)["coordinates"][0]
        for (lon, lat), (x, y) in zip(got, rings[0], strict=True):
            want_lon, want_lat = gk_inverse(x, y)
            assert lon == pytest.approx(want_lon, abs=1e-7) and lat == pytest.approx(want_lat, abs=1e-7)
    # 100 m × 100 m on the grid is 10 000 m² on the ground, less the zone's scale (+22 ppm here).
    assert checked[0].area_m2 == pytest.approx(10_000 / 1.0000225**2, rel=2e-6)


def test_a_stated_epsg_reads_a_file_without_a_prj(shapefile_zip: ZipMaker) -> None:
    data = shapefile_zip(three_parcels(), prj=None)
    refused = check_outlines(data, "DKBH", None, OutlineLimits())
    assert codes(refused.problems) == [(None, None, "unknown-crs")] and refused.outlines == []
    assert refused.named == {"YZ-A": 0, "YZ-B": 1, "YZ-C": 2}
    checked = check_outlines(data, "DKBH", 4527, OutlineLimits()).outlines
    independent = Transformer.from_crs(CRS.from_epsg(4527), CRS.from_epsg(4326), always_xy=True)
    lon, lat = independent.transform(E, N)
    assert as_geojson(checked[0].outline.shape)["coordinates"][0][0] == pytest.approx([lon, lat], abs=1e-7)


def test_an_unreadable_prj_without_epsg_is_named(shapefile_zip: ZipMaker) -> None:
    refused = check_outlines(shapefile_zip(three_parcels(), prj="PROJCS[nonsense"), "DKBH", None, OutlineLimits())
    assert codes(refused.problems) == [(None, None, "unknown-crs")]
    assert ".prj" in refused.problems[0].zh


def test_the_file_is_refused_before_reprojection_for_a_bad_feature(shapefile_zip: ZipMaker) -> None:
    bad = [*three_parcels(), ("YZ-D", [[(E, N + 900), (E + 50, N + 950), (E + 50, N + 900), (E, N + 950), (E, N + 900)]]),
           ("YZ-E", [rect(E + 50, N + 50, 100, 100)])]
    refused = check_outlines(shapefile_zip(bad), "DKBH", None, OutlineLimits())
    assert refused.outlines == []
    found = codes(refused.problems)
    assert (3, "YZ-D", "self-intersecting") in found
    assert {(4, "YZ-E", "overlap")} <= set(found) and sum(code == "overlap" for *_, code in found) == 2


def test_points_and_null_shapes_are_no_outlines(shapefile_zip: ZipMaker) -> None:
    refused = check_outlines(shapefile_zip([("YZ-A", [rect(E, N, 1, 1)])], points=True), "DKBH", None, OutlineLimits())
    assert codes(refused.problems) == [(0, "YZ-A", "not-a-polygon")]


def test_the_match_field_must_be_in_the_table(shapefile_zip: ZipMaker) -> None:
    refused = check_outlines(shapefile_zip(three_parcels()), "ZDBH", None, OutlineLimits())
    assert codes(refused.problems) == [(0, None, "missing-match-field"), (1, None, "missing-match-field"),
                                             (2, None, "missing-match-field")]


def test_gb18030_attributes_without_a_cpg_are_read(shapefile_zip: ZipMaker) -> None:
    import io
    import zipfile

    import shapefile

    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="gb18030") as w:
        w.field("DKBH", "C", 20)
        w.field("MC", "C", 40)
        w.poly([rect(E, N, 10, 10)])
        w.record("亦庄-1", "精密光学制造基地")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for ext, part in ((".shp", shp), (".shx", shx), (".dbf", dbf)):
            z.writestr("a" + ext, part.getvalue())
    checked = check_outlines(out.getvalue(), "DKBH", 4527, OutlineLimits())
    assert [c.outline.parcel_id for c in checked.outlines] == ["亦庄-1"]


def test_bounds_and_broken_files_are_refused(shapefile_zip: ZipMaker) -> None:
    data = shapefile_zip(three_parcels())
    with pytest.raises(ShapefileTooLarge):
        check_outlines(data, "DKBH", None, OutlineLimits(max_bytes=len(data) - 1))
    with pytest.raises(ShapefileTooLarge) as too_many:
        check_outlines(data, "DKBH", None, OutlineLimits(max_features=2))
    assert too_many.value.what == "number of features"
    with pytest.raises(ShapefileTooLarge):
        check_outlines(data, "DKBH", None, OutlineLimits(max_unzipped_bytes=100))
    with pytest.raises(UnreadableShapefile):
        check_outlines(b"PK not a zip", "DKBH", None, OutlineLimits())
