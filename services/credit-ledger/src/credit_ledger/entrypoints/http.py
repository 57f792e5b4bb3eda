"""HTTP routes of credit-ledger."""

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
