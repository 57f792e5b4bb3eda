"""The outlook's backtest: a past year replayed at the end of Q1, Q2 or Q3 against its grades."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from evaluation.entrypoints.http.deps import FIRST_YEAR, LAST_YEAR, NO_RULESET_READ, RUNS_WRITE, Ctx, no_ruleset
from evaluation.service_layer.backtests import run_backtest
from evaluation.service_layer.grading import NoRuleset
from servicekit.auth import Principal, require

router = APIRouter(prefix="/v1", tags=["monitoring"])


@router.get("/backtests", summary="Precision, recall and F1 of 'will lose A': outlook, pro rata, last year's grade",
            responses=NO_RULESET_READ)
async def backtests(ctx: Ctx, year: Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR)],
                    quarter: Annotated[int, Query(ge=1, le=3, description="replayed as at the end of Q1, Q2 or Q3")],
                    _: Principal = require(RUNS_WRITE)) -> dict[str, Any]:
    try:
        return await run_backtest(ctx.uow(), year, quarter)
    except NoRuleset as e:
        raise no_ruleset(e.year, e.covered) from None
