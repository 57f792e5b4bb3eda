"""The yearly cycle: start the run and follow it."""

from __future__ import annotations

import time

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

from landgrade.cli.common import TokenOption, client, console, fail_on_problem
from landgrade.roles import RUNS_WRITE

app = typer.Typer()


@app.command("run-evaluation")
def run_evaluation(year: int = typer.Option(..., help="the year to grade"),
                   ruleset: str | None = typer.Option(None, help="ruleset id (default: the one in force)"),
                   evaluation: str = typer.Option("http://127.0.0.1:8002", envvar="LANDGRADE_EVALUATION_URL"),
                   token: str | None = TokenOption) -> None:
    """Start the yearly evaluation run and follow its progress."""
    body: dict[str, object] = {"year": year} | ({"ruleset_id": ruleset} if ruleset else {})
    with client(evaluation, [RUNS_WRITE], token) as http:
        started = http.post("/v1/evaluation-runs", json=body)
        fail_on_problem(started)
        run = started.json()
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), console=console) as progress:
            task = progress.add_task(f"run {run['id']}", total=run.get("total") or None)
            while run.get("state") in ("queued", "running"):
                time.sleep(0.5)
                response = http.get(f"/v1/evaluation-runs/{run['id']}")
                fail_on_problem(response)
                run = response.json()
                progress.update(task, total=run.get("total") or None, completed=run.get("graded", 0))
    console.print_json(data=run)
