"""Parcel outlines from a zipped shapefile: read, checked and reprojected to WGS 84 off the event
loop (`check_outlines`), then written all or nothing with a reason (`import_outlines`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from parcel_registry.adapters.shapefiles import ShapefileTooLarge as ShapefileTooLarge
from parcel_registry.adapters.shapefiles import Unprojectable, geodesic_area_m2, read_zip, source_crs, to_wgs84
from parcel_registry.adapters.shapefiles import UnreadableShapefile as UnreadableShapefile
from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.history import Act
from parcel_registry.domain.outlines import (
    AreaComparison,
    Outline,
    OutlineProblem,
    as_geojson,
    check_features,
    compare_area,
    in_file_order,
    named_parcels,
    unknown_parcels,
)
from parcel_registry.domain.parcels import Parcel
from parcel_registry.domain.reasons_zh import in_chinese
from parcel_registry.domain.records import Change
from parcel_registry.service_layer.parcels import write_parcel
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork
from servicekit.events import EventData


@dataclass(frozen=True)
class OutlineLimits:
    """Bounds on the work one outline upload may cause."""

    max_bytes: int = 20 * 1024 * 1024  # the zip as sent
    max_unzipped_bytes: int = 100 * 1024 * 1024  # its .shp, .shx, .dbf, .prj and .cpg inflated
    max_features: int = 5_000


class OutlinesRefused(ValueError):
    """Some features cannot become outlines; nothing was written. `problems` lists every one."""

    def __init__(self, problems: list[OutlineProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) found; no outline was written.")
        self.problems = problems


@dataclass(frozen=True)
class Reprojected:
    outline: Outline  # its shape in WGS 84, longitude first
    area_m2: float  # on the WGS 84 ellipsoid


@dataclass(frozen=True)
class Written:
    """One parcel's new outline: its area against the ledger's, the parcel's version after it."""

    parcel_id: str
    feature: int
    area: AreaComparison
    version: int
    change: Change


@dataclass(frozen=True)
class CheckedFile:
    """A file's outlines in WGS 84, or the problems that refuse it, and every parcel it names
    (each still to be found in the ledger)."""

    outlines: list[Reprojected]
    problems: list[OutlineProblem]
    named: dict[str, int]


def check_outlines(data: bytes, match_field: str, epsg: int | None, limits: OutlineLimits) -> CheckedFile:
    """Reads, checks and reprojects every feature of the zipped shapefile (CPU-bound and blocking:
    the route runs it in a worker thread). Nothing is reprojected from a file with a problem."""
    if len(data) > limits.max_bytes:
        raise ShapefileTooLarge(limits.max_bytes, "file")
    found = read_zip(data, limits.max_unzipped_bytes, limits.max_features)
    outlines, problems = check_features(found.features, match_field)
    named = named_parcels(found.features, match_field)
    crs = source_crs(found.prj, epsg)
    if crs is None:
        if epsg is not None:
            zh, en = f"EPSG:{epsg} 不是已知的坐标系。", f"EPSG:{epsg} is no known coordinate reference system."
        elif found.prj:
            zh, en = ".prj 中的坐标系无法识别，请提供 epsg。", "The .prj's CRS cannot be read; state an epsg."
        else:
            zh, en = "压缩包中没有 .prj 文件，请提供 epsg。", "The zip has no .prj file; state an epsg."
        problems.insert(0, OutlineProblem(None, None, "unknown-crs", zh, en))
    if problems or crs is None:
        return CheckedFile([], problems, named)
    try:
        shapes = to_wgs84([o.shape for o in outlines], crs)
    except Unprojectable as bad:
        unprojectable = OutlineProblem(None, None, "unprojectable", "坐标无法转换到 WGS 84（坐标超出坐标系范围）。",
                                       f"The coordinates cannot be reprojected to WGS 84 ({bad}).")
        return CheckedFile([], [unprojectable], named)
    reprojected = [Reprojected(replace(o, shape=s), geodesic_area_m2(s)) for o, s in zip(outlines, shapes, strict=True)]
    return CheckedFile(reprojected, [], named)


async def import_outlines(uow: RegistryUnitOfWork, checked: CheckedFile, rules: EquityRules,
                          act: Act) -> list[Written]:
    """Each parcel's outline replaced in one transaction, recorded under the act's reason and
    announced as a parcel change. Any problem (the file's, an unknown parcel, an outline the
    ledger's geometry checks refuse) refuses them all, every problem listed. Areas off the
    ledger's by more than 5 % are reported, not refused."""
    async with uow:
        ids = sorted(checked.named)
        await uow.parcels.lock_all(ids)
        existing = await uow.parcels.get_parcels(ids)
        problems = checked.problems + unknown_parcels(checked.named, set(existing))
        changed: list[Parcel] = []
        for r in checked.outlines if not problems else []:
            try:
                changed.append(replace(existing[r.outline.parcel_id].parcel, geometry=as_geojson(r.outline.shape)))
            except DomainValidationError as bad:
                problems += [OutlineProblem(r.outline.feature, r.outline.parcel_id, "invalid-outline",
                                            in_chinese(e.reason), e.reason) for e in bad.errors]
        if problems:
            raise OutlinesRefused(in_file_order(problems))
        results: list[Written] = []
        events: list[EventData] = []
        for r, parcel in zip(checked.outlines, changed, strict=True):
            stored, change, written = await write_parcel(uow, rules, parcel, existing[parcel.parcel_id], act)
            events += written
            area = compare_area(r.area_m2, parcel.area_m2)
            results.append(Written(parcel.parcel_id, r.outline.feature, area, stored.version, change))
        await uow.emit(*events)
    return results
