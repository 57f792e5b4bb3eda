"""HTTP routes of evaluation."""

from fastapi import APIRouter

from evaluation.entrypoints.http import (
    backtests,
    grades,
    objections,
    re_evaluations,
    rulesets,
    runs,
    timeline,
    warnings,
)


def routers() -> list[APIRouter]:
    return [grades.router, runs.router, re_evaluations.router, rulesets.router, objections.router, warnings.router,
            backtests.router, timeline.router]
