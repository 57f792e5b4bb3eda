"""HTTP routes of parcel-registry."""

from fastapi import APIRouter

from parcel_registry.entrypoints.http import enterprises, parcels, revenue_filings


def routers() -> list[APIRouter]:
    return [parcels.router(), enterprises.router(), revenue_filings.router()]
