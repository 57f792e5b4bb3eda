"""HTTP routes of evaluation."""

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
