"""The files a clerk gets from the import: their own sheet annotated with every problem, and the
template to fill in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from parcel_registry.adapters.sheet_report import annotated
from parcel_registry.adapters.sheet_template import template
from parcel_registry.domain.importing import validate_rows
from parcel_registry.service_layer.parcels import ImportLimits, read_upload


@dataclass(frozen=True)
class Report:
    xlsx: bytes
    problems_total: int
    rows: int


def _report(data: bytes, limits: ImportLimits) -> Report:
    sheet = read_upload(data, limits)
    result = validate_rows(sheet.headers, sheet.rows, header_row=sheet.header_row, sheet=sheet.name)
    return Report(annotated(data, sheet, result.errors), len(result.errors), result.rows)


async def report(data: bytes, limits: ImportLimits) -> Report:
    """The sheet back as XLSX, every problem marked (nothing is imported); off the event loop."""
    return await asyncio.to_thread(_report, data, limits)


async def template_file() -> bytes:
    return await asyncio.to_thread(template)
