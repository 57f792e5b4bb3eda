"""HTTP routes of credit-ledger."""

from fastapi import APIRouter

from credit_ledger.entrypoints import routes_benefits, routes_credit, routes_ledger, routes_public, routes_repairs


def routers() -> list[APIRouter]:
    return [routes_ledger.router, routes_credit.router, routes_repairs.router, routes_benefits.router,
            routes_public.router]
