"""`landgrade backtest --year Y --quarter Q`: how well the outlook (动态监测) would have called
"will lose A" in a past year, as it stood at the end of quarter Q, against that year's grades —
beside two naive baselines (pro rata, and last year's grade). Read from evaluation's
`GET /v1/backtests` (land staff or admin)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from landgrade.cli.common import TokenOption, client, console, fail_on_problem
from landgrade.roles import RUNS_WRITE

app = typer.Typer()

EvaluationOption = typer.Option("http://127.0.0.1:8002", "--evaluation", envvar="LANDGRADE_EVALUATION_URL",
                                help="evaluation's base URL")
METHODS = {"outlook": "动态监测 outlook", "pro_rata": "按季平均 pro rata", "last_year": "上年等级 last year's grade"}


def backtest_table(result: dict[str, Any]) -> Table:
    """One row per method; an undefined figure (nothing predicted, nothing lost) shows as "–"."""
    final = "" if result.get("grades_final") else "（等级尚未最终确定 grades not final）"
    table = Table(title=f"{result['year']}年度 Q{result['quarter']} 回测 Backtest: will lose A — "
                        f"{result['parcels']:,} 个上年A类地块 parcels A the year before{final}")
    for column in ("method", "predicted", "correct", "lost A", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for m in result["methods"]:
        table.add_row(METHODS.get(m["method"], m["method"]), f"{m['predicted']:,}", f"{m['true_positives']:,}",
                      f"{m['actual']:,}", *(_ratio(m[k]) for k in ("precision", "recall", "f1")))
    return table


def _ratio(value: str | None) -> str:
    return "–" if value is None else f"{float(value):.2f}"


@app.command("backtest")
def backtest(year: int = typer.Option(..., help="the past year to replay, e.g. 2024"),
             quarter: int = typer.Option(..., min=1, max=3, help="replay as at the end of Q1, Q2 or Q3"),
             evaluation: str = EvaluationOption, token: str | None = TokenOption) -> None:
    """Precision, recall and F1 of "will lose A": the outlook against pro rata and last year's grade."""
    with client(evaluation, [RUNS_WRITE], token) as http:
        response = http.get("/v1/backtests", params={"year": year, "quarter": quarter})
    fail_on_problem(response)
    console.print(backtest_table(response.json()))
