"""The yearly cycle from the command line: `landgrade year run | status | publish | finalize | summary YEAR`.

A year is run (every parcel graded, a draft), published for objections (公示, a window of working
days on China's official calendar), and made final; `summary` shows the year's counts by grade
and street and how parcels moved since the year before.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from landgrade.cli.common import TokenOption, client, console, fail_on_problem
from landgrade.roles import GRADES_READ, RUNS_WRITE

app = typer.Typer()
year_app = typer.Typer(help="The yearly cycle: run, status, publish, finalize, summary.", no_args_is_help=True)
app.add_typer(year_app, name="year")

EvaluationOption = typer.Option("http://127.0.0.1:8002", "--evaluation", envvar="LANDGRADE_EVALUATION_URL",
                                help="evaluation's base URL")
YearArgument = typer.Argument(..., help="the year, e.g. 2025")
GRADES = "ABCD"
MOVES = (("up", "升级"), ("down", "降级"), ("into_d", "降为D类"), ("newly_a", "新评A类"))


def progress_line(run: dict[str, Any]) -> str:
    """What a run is doing, with counts once it knows them (never "0/None")."""
    state, phase = run.get("state", "?"), run.get("phase") or ""
    total, graded = run.get("total") or 0, run.get("graded") or 0
    if total:
        return f"{state} · {phase} · {graded:,}/{total:,} parcels"
    return f"{state} · {phase}" if phase and phase != state else str(state)


def run_table(runs: list[dict[str, Any]]) -> Table:
    table = Table(title="评价运行 Runs", show_lines=False)
    for column in ("run", "state", "parcels", "changed", "A", "B", "C", "D", "objections until", "finalized"):
        table.add_column(column, justify="right" if column in ("parcels", "changed", *GRADES) else "left")
    for r in runs:
        counts = r.get("counts") or {}
        table.add_row(r["id"][:8], r["state"], f"{r.get('graded') or 0:,}/{r.get('total') or 0:,}",
                      f"{r.get('changed') or 0:,}", *(f"{counts.get(g, 0):,}" for g in GRADES),
                      str(r.get("objection_last_day") or ""), (r.get("finalized_at") or "")[:10])
    return table


def summary_tables(summary: dict[str, Any]) -> list[Table]:
    """The year's counts by grade and street, and the movement from the year before, as tables."""
    year, previous = summary["year"], summary.get("previous_year", summary["year"] - 1)
    totals = Table(title=f"{year}年度 评价结果 Grades {year}")
    for column in ("", *GRADES, "合计 total"):
        totals.add_column(column, justify="right" if column else "left")
    by_grade = summary["by_grade"]
    totals.add_row("全部 all", *(f"{by_grade.get(g, 0):,}" for g in GRADES), f"{summary['total']:,}")
    for street, counts in summary.get("by_street", {}).items():
        totals.add_row(street, *(f"{counts.get(g, 0):,}" for g in GRADES), f"{sum(counts.values()):,}")

    movement = Table(title=f"较{previous}年度变化 Movement since {previous}")
    movement.add_column("")
    for key, zh in MOVES:
        movement.add_column(f"{zh} {key}", justify="right")
    moved = summary.get("movement", {})
    movement.add_row("全部 all", *(f"{moved.get(key, 0):,}" for key, _ in MOVES))
    for street, counts in summary.get("movement_by_street", {}).items():
        movement.add_row(street, *(f"{counts.get(key, 0):,}" for key, _ in MOVES))
    return [totals, movement]


def _runs(http: httpx.Client, year: int) -> list[dict[str, Any]]:
    response = http.get("/v1/evaluation-runs", params={"year": year})
    fail_on_problem(response)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _the_run(http: httpx.Client, year: int, state: str, step: str) -> dict[str, Any]:
    """The year's newest run in `state` (runs come newest first); a clear refusal when there is none."""
    for run in _runs(http, year):
        if run["state"] == state:
            return run
    console.print(f"[red]{year}年度没有可{step}的评价（需要状态 {state}）[/red] "
                  f"No run of {year} is in state {state}: nothing to {step}. See `landgrade year status {year}`.")
    raise typer.Exit(1)


def _follow(http: httpx.Client, run: dict[str, Any]) -> dict[str, Any]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), console=console) as progress:
        task = progress.add_task(progress_line(run), total=run.get("total") or None)
        while run.get("state") in ("queued", "running"):
            time.sleep(0.5)
            response = http.get(f"/v1/evaluation-runs/{run['id']}")
            fail_on_problem(response)
            run = response.json()
            progress.update(task, description=progress_line(run), total=run.get("total") or None,
                            completed=run.get("graded") or 0)
    return run


def _start(year: int, ruleset: str | None, evaluation: str, token: str | None) -> None:
    body: dict[str, object] = {"year": year} | ({"ruleset_id": ruleset} if ruleset else {})
    with client(evaluation, [RUNS_WRITE, GRADES_READ], token) as http:
        started = http.post("/v1/evaluation-runs", json=body)
        fail_on_problem(started)
        run = _follow(http, started.json())
    console.print(run_table([run]))
    if run["state"] != "draft":
        console.print(f"[red]the run ended {run['state']}[/red] {run.get('error') or ''}")
        raise typer.Exit(1)
    console.print(f"草稿已生成：公示请运行 `landgrade year publish {year}`. "
                  f"Draft ready: publish it with `landgrade year publish {year}`.")


@year_app.command("run")
def run_year(year: int = YearArgument,
             ruleset: str | None = typer.Option(None, help="ruleset id (default: the one in force for the year)"),
             evaluation: str = EvaluationOption, token: str | None = TokenOption) -> None:
    """Grade every parcel for YEAR (a draft) and follow the run's progress."""
    _start(year, ruleset, evaluation, token)


@year_app.command("status")
def status(year: int = YearArgument, evaluation: str = EvaluationOption, token: str | None = TokenOption) -> None:
    """The runs of YEAR, newest first: state, counts, objection window, finalisation."""
    with client(evaluation, [GRADES_READ], token) as http:
        runs = _runs(http, year)
    if not runs:
        console.print(f"{year}年度尚未运行评价。No run of {year} yet: `landgrade year run {year}`.")
        return
    console.print(run_table(runs))


@year_app.command("publish")
def publish(year: int = YearArgument,
            window: int | None = typer.Option(None, help="objection window in working days "
                                                         "(default and minimum: the ruleset's)"),
            evaluation: str = EvaluationOption, token: str | None = TokenOption) -> None:
    """Publish YEAR's draft for objections (公示)."""
    with client(evaluation, [RUNS_WRITE, GRADES_READ], token) as http:
        draft = _the_run(http, year, "draft", "publish")
        response = http.post(f"/v1/evaluation-runs/{draft['id']}/publish",
                             json={} if window is None else {"objection_window_days": window})
        fail_on_problem(response)
        run = response.json()
    console.print(run_table([run]))
    console.print(f"异议期 {run['objection_window_days']} 个工作日，至 {run['objection_last_day']} 止。"
                  f"Objections are taken until {run['objection_last_day']} "
                  f"({run['objection_window_days']} working days).")


@year_app.command("finalize")
def finalize(year: int = YearArgument, evaluation: str = EvaluationOption, token: str | None = TokenOption) -> None:
    """Make YEAR's published grades final (after the objection window, every objection decided)."""
    with client(evaluation, [RUNS_WRITE, GRADES_READ], token) as http:
        published = _the_run(http, year, "published", "finalize")
        response = http.post(f"/v1/evaluation-runs/{published['id']}/finalize")
        fail_on_problem(response)
        run = response.json()
    console.print(run_table([run]))
    console.print(f"{year}年度评价结果已确定为正式结果。The grades of {year} are final.")


@year_app.command("summary")
def summary(year: int = YearArgument, evaluation: str = EvaluationOption, token: str | None = TokenOption) -> None:
    """YEAR's counts by grade and street, and movement since the year before (up, down, into D, newly A)."""
    with client(evaluation, [GRADES_READ], token) as http:
        response = http.get("/v1/grades/summary", params={"year": year})
        fail_on_problem(response)
    for table in summary_tables(response.json()):
        console.print(table)


@app.command("run-evaluation", hidden=True)
def run_evaluation(year: int = typer.Option(..., help="the year to grade"),
                   ruleset: str | None = typer.Option(None, help="ruleset id (default: the one in force)"),
                   evaluation: str = typer.Option("http://127.0.0.1:8002", envvar="LANDGRADE_EVALUATION_URL"),
                   token: str | None = TokenOption) -> None:
    """The former name of `landgrade year run`."""
    _start(year, ruleset, evaluation, token)
