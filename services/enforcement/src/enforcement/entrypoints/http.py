"""HTTP routes of enforcement, built around the context the composition root assembled."""

from fastapi import APIRouter

from enforcement.entrypoints.cases_api import cases_router
from enforcement.entrypoints.inspections_api import inspections_router
from enforcement.entrypoints.tasks_api import tasks_router
from enforcement.service_layer.context import Context


def routers(ctx: Context) -> list[APIRouter]:
    return [inspections_router(ctx), cases_router(ctx), tasks_router(ctx)]
