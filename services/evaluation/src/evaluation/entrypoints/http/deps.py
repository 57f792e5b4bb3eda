"""Dependency aliases and scopes shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from evaluation.service_layer.context import EvaluationContext
from servicekit.http import app_context

Ctx = Annotated[EvaluationContext, Depends(app_context)]

READ = ("grades:read",)
OBJECT = "objections:write"
ADMIN = "admin"
# Bounded like every year the service accepts: an unbounded int overflows the database column (500).
FIRST_YEAR, LAST_YEAR = 2000, 2100
Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
