"""HTTP routes of enforcement."""

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
