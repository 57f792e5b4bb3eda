"""HTTP routes of parcel-registry."""

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
