"""HTTP routes of parcel-registry."""

from fastapi import APIRouter

from parcel_registry.entrypoints import enterprise_routes, filing_routes, parcel_routes


def routers() -> list[APIRouter]:
    return [parcel_routes.router(), enterprise_routes.router(), filing_routes.router()]
