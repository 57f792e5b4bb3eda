"""A zipped shapefile (.shp, .shx, .dbf, optional .prj and .cpg) read with pyshp, and outlines
reprojected with pyproj to WGS 84 (longitude, latitude) and measured on the WGS 84 ellipsoid."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import shapefile
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry.base import BaseGeometry

from parcel_registry.domain.outlines import Feature

WGS84 = "EPSG:4326"
_GEOD = Geod(ellps="WGS84")


class UnreadableShapefile(ValueError):
    """The upload is no zipped shapefile (a part is missing or broken); `reason` in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


class Unprojectable(ValueError):
    """A coordinate outside the source CRS's domain: it has no place in WGS 84."""


class ShapefileTooLarge(ValueError):
    def __init__(self, limit: int, what: str) -> None:
        super().__init__(f"the {what} exceeds the limit of {limit}")
        self.limit, self.what = limit, what


@dataclass(frozen=True)
class Shapefile:
    features: list[Feature]
    prj: str | None  # the .prj's WKT, None without one


def _member(names: list[str], base: str, ext: str) -> str | None:
    return next((n for n in names if n.lower() == base.lower() + ext), None)


def read_zip(data: bytes, max_unzipped_bytes: int, max_features: int) -> Shapefile:
    """The features of the one shapefile in the zip, within the limits (blocking)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableShapefile("文件不是 ZIP 压缩包。", "The file is no ZIP archive.") from None
    with archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        shps = [n for n in names if n.lower().endswith(".shp")]
        if len(shps) != 1:
            raise UnreadableShapefile(f"压缩包须恰好含一个 .shp 文件（找到 {len(shps)} 个）。",
                                      f"The zip must hold exactly one .shp file ({len(shps)} found).")
        base = shps[0][:-4]
        parts = {ext: _member(names, base, ext) for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
        missing = [ext for ext in (".shx", ".dbf") if parts[ext] is None]
        if missing:
            raise UnreadableShapefile(f"压缩包缺少 {', '.join(missing)} 文件。", f"The zip lacks {', '.join(missing)}.")
        if sum(archive.getinfo(n).file_size for n in parts.values() if n) > max_unzipped_bytes:
            raise ShapefileTooLarge(max_unzipped_bytes, "unzipped shapefile")
        try:
            raw = {ext: archive.read(n) for ext, n in parts.items() if n}
        except (zipfile.BadZipFile, OSError, EOFError):
            raise UnreadableShapefile("压缩包已损坏。", "The zip is damaged.") from None
    if sum(len(b) for b in raw.values()) > max_unzipped_bytes:
        raise ShapefileTooLarge(max_unzipped_bytes, "unzipped shapefile")
    encoding = raw[".cpg"].decode("ascii", "replace").strip() if ".cpg" in raw else "utf-8"
    prj = raw[".prj"].decode("utf-8", "replace").strip() if ".prj" in raw else None
    return Shapefile(_features(raw, encoding, max_features), prj or None)


def _features(raw: dict[str, bytes], encoding: str, max_features: int) -> list[Feature]:
    # Without a .cpg, Chinese offices' attribute tables are as often GB 18030 as UTF-8: a table
    # that does not read in the first is read in the second before the file is called broken.
    failure: Exception | None = None
    for attempt in dict.fromkeys((encoding, "gb18030")):
        try:
            reader = shapefile.Reader(shp=io.BytesIO(raw[".shp"]), shx=io.BytesIO(raw[".shx"]),
                                      dbf=io.BytesIO(raw[".dbf"]), encoding=attempt)
            if len(reader) > max_features:
                raise ShapefileTooLarge(max_features, "number of features")
            return [Feature(i, pair.record.as_dict(), _geometry(pair.shape), pair.shape.shapeTypeName)
                    for i, pair in enumerate(reader.iterShapeRecords())]
        except ShapefileTooLarge:
            raise
        except Exception as bad:  # pyshp raises bare errors of many kinds on a broken file
            failure = bad
    raise UnreadableShapefile("shapefile 无法读取（若属性表非 UTF-8 编码，请附 .cpg 文件）。",
                              f"The shapefile cannot be read ({failure}); a .cpg names a non-UTF-8 table.")


def _geometry(shp: Any) -> dict[str, Any] | None:
    if shp.shapeType == shapefile.NULL:
        return None
    try:
        geometry: dict[str, Any] = shp.__geo_interface__
    except Exception:  # a shape pyshp cannot express as GeoJSON
        return None
    return geometry


def source_crs(prj: str | None, epsg: int | None) -> CRS | None:
    """The stated EPSG code wins over the .prj; None when neither gives a CRS pyproj knows."""
    try:
        if epsg is not None:
            return CRS.from_epsg(epsg)
        return CRS.from_wkt(prj) if prj else None
    except CRSError:
        return None


def to_wgs84(geometries: list[BaseGeometry], crs: CRS) -> list[BaseGeometry]:
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)

    def lon_lat(x: Any, y: Any) -> Any:
        return transformer.transform(x, y, errcheck=True)

    try:
        return [shapely.transform(g, lon_lat, interleaved=False) for g in geometries]
    except ProjError as bad:
        raise Unprojectable(str(bad)) from None


def geodesic_area_m2(geometry: BaseGeometry) -> float:
    """The area of a WGS 84 outline on the ellipsoid, m² (free of any projection's scale)."""
    area, _ = _GEOD.geometry_area_perimeter(geometry)
    return abs(float(area))
