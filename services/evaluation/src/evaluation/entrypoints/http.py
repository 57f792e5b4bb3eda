"""HTTP routes of evaluation."""

from fastapi import APIRouter

from evaluation.entrypoints import routes_grades, routes_objections, routes_rulesets, routes_runs


def routers() -> list[APIRouter]:
    return [routes_grades.router(), routes_runs.router(), routes_rulesets.router(), routes_objections.router()]
