"""HTTP routes of evaluation."""

from fastapi import APIRouter

from evaluation.entrypoints.http import grades, objections, re_evaluations, rulesets, runs


def routers() -> list[APIRouter]:
    return [grades.router, runs.router, re_evaluations.router, rulesets.router, objections.router]
