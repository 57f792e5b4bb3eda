"""The map's FeatureCollection: grades on parcels, counts, street outlines, no invented places."""

from __future__ import annotations

from console.views.geo import feature_collection


def square(west: float, south: float, size: float = 0.001) -> dict[str, object]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_parcels_carry_their_grade_and_status_and_counts_match() -> None:
    parcels = [{"parcel_id": "P-1", "street": "荣华街道", "rights_holder": "U1", "geometry": square(116.5, 39.8)},
               {"parcel_id": "P-2", "street": "荣华街道", "rights_holder": "U2", "geometry": square(116.51, 39.8)},
               {"parcel_id": "P-3", "street": "荣华街道", "rights_holder": "U3", "geometry": None}]
    grades = {"P-1": {"grade": "A", "status": "final"}, "P-2": {"grade": "D", "status": "provisional"}}
    collection = feature_collection(parcels, grades, {"U1": "北京亦庄精密制造有限公司"})
    props = {f["id"]: f["properties"] for f in collection["features"]}
    assert props["P-1"]["grade"] == "A" and props["P-1"]["status"] == "final"
    assert props["P-1"]["holder_name"] == "北京亦庄精密制造有限公司"
    assert props["P-2"]["status"] == "provisional"
    assert "P-3" not in props and collection["without_outline"] == 1
    assert collection["counts"] == {"A": 1, "B": 0, "C": 0, "D": 1, "none": 1}


def test_each_street_gets_an_outline_around_its_parcels_and_a_label_inside_it() -> None:
    parcels = [{"parcel_id": "P-1", "street": "荣华街道", "geometry": square(116.50, 39.80)},
               {"parcel_id": "P-2", "street": "荣华街道", "geometry": square(116.52, 39.81)},
               {"parcel_id": "P-9", "street": "博兴街道", "geometry": square(116.60, 39.70)}]
    streets = {s["properties"]["street"]: s for s in feature_collection(parcels, {})["streets"]}
    ring = streets["荣华街道"]["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lons) < 116.50 and max(lons) > 116.521 and min(lats) < 39.80 and max(lats) > 39.811
    lat, lon = streets["荣华街道"]["properties"]["label"]
    assert min(lats) < lat < max(lats) and min(lons) < lon < max(lons)
    assert set(streets) == {"荣华街道", "博兴街道"}
