"""HTTP routes of parcel-registry."""

from fastapi import APIRouter

from parcel_registry.entrypoints.http import acts, enterprises, imports, outlines, parcels, revenue_filings


def routers() -> list[APIRouter]:
    # The import's fixed paths (/v1/parcels/import-jobs, …) come before /v1/parcels/{parcel_id}.
    return [imports.router(), outlines.router(), parcels.router(), acts.router(), enterprises.router(),
            revenue_filings.router()]
