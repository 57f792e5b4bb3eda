"""HTTP routes of evaluation."""

from fastapi import APIRouter

from evaluation.entrypoints.http import grades, objections, rulesets, runs


def routers() -> list[APIRouter]:
    return [grades.router, runs.router, rulesets.router, objections.router]
