"""`landgrade` — the operator's command line.

    landgrade token --role tax-system
    landgrade import-parcels parcels.xlsx
    landgrade run-evaluation --year 2025
    landgrade export grades --year 2025 --out grades-2025.xlsx
    landgrade export public --year 2025 --out quality-holders-2025.xlsx
    landgrade dlq-replay landgrade.evaluation.grades.v1.dlq
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from landgrade.roles import GRADES_READ, JURISDICTION_BOUND, PARCELS_WRITE, ROLES, RUNS_WRITE
from servicekit.auth import mint_token
from servicekit.settings import DEV_JWT_SECRET, ServiceSettings

app = typer.Typer(help="Operate landgrade: tokens, imports, yearly runs, exports, DLQ replay.",
                  no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def token(role: str = typer.Option(..., help=f"one of: {', '.join(ROLES)}"),
          jurisdiction: str | None = typer.Option(None, help="street office or town (street-office role)"),
          subject: str | None = typer.Option(None, help="the client's name in the token (default: the role)"),
          hours: int = typer.Option(12, help="lifetime in hours")) -> None:
    """Mint a local HS256 token for a client role (signed with JWT_SECRET, or the development secret)."""
    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", param_hint="--role")
    if role in JURISDICTION_BOUND and not jurisdiction:
        raise typer.BadParameter("a street-office token needs --jurisdiction, e.g. 荣华街道",
                                 param_hint="--jurisdiction")
    typer.echo(mint_token(_signing_secret("--role"), subject or role, ROLES[role], jurisdiction=jurisdiction,
                          ttl_seconds=hours * 3600))


@app.command("dlq-replay")
def dlq_replay(topic: str = typer.Argument(..., help="the dead-letter topic, e.g. landgrade.evaluation.grades.v1.dlq"),
               limit: int | None = typer.Option(None, help="stop after this many records")) -> None:
    """Send dead-lettered events back to the topic they came from (consumers skip what they applied)."""
    from servicekit.dlq import replay

    if not topic.endswith(".dlq"):
        raise typer.BadParameter("expected a topic ending in .dlq", param_hint="TOPIC")
    settings = ServiceSettings(service_name="landgrade-cli")
    count = asyncio.run(replay(settings, topic, limit))
    console.print(f"replayed {count} event(s) from {topic}")


TokenOption = typer.Option(None, "--token", envvar="LANDGRADE_TOKEN", show_default=False,
                           help="bearer token for the services (from the identity provider); without one, "
                                "a short development token is signed, against a development stack only")


def _client(url: str, scopes: list[str], token: str | None) -> httpx.Client:
    """A client that sends `token`; without one, a development token holding only `scopes`
    (what this command needs), signed only where ENVIRONMENT is development or test."""
    if token is None:
        token = mint_token(_signing_secret("--token"), "landgrade-cli", scopes, ttl_seconds=900)
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def _signing_secret(param_hint: str) -> str:
    """JWT_SECRET (HS256 deployments), or the public development secret in development and test only."""
    secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
    try:
        settings = ServiceSettings(service_name="landgrade-cli", jwt_secret=secret)
    except ValueError:  # the development secret outside development: refused by the settings
        settings = None
    if settings is None or not settings.jwt_algorithm.startswith("HS"):
        raise typer.BadParameter("this stack is not a development one: give --token or LANDGRADE_TOKEN "
                                 "(a token from the identity provider)", param_hint=param_hint)
    return settings.jwt_secret


def _fail_on_problem(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        problem = response.json()
    except ValueError:
        problem = {"title": response.text}
    console.print(f"[red]{response.status_code} {problem.get('title', '')}[/red] {problem.get('detail', '')}")
    for error in problem.get("errors", [])[:50]:
        console.print(f"  • {error}")
    raise typer.Exit(1)


@app.command("import-parcels")
def import_parcels(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="a .csv or .xlsx file"),
                   registry: str = typer.Option("http://127.0.0.1:8001", envvar="LANDGRADE_REGISTRY_URL"),
                   token: str | None = TokenOption) -> None:
    """Import parcels from CSV/XLSX: all rows or none, with a report of every bad row."""
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    if path.suffix.lower() == ".xlsx" else "text/csv")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), console=console) as progress:
        task = progress.add_task(f"uploading {path.name}", total=path.stat().st_size)
        with _client(registry, [PARCELS_WRITE], token) as client, path.open("rb") as handle:
            response = client.post("/v1/parcels/import", files={"file": (path.name, handle, content_type)})
        progress.update(task, completed=path.stat().st_size, description="validated and written")
    if response.status_code == 422 and "rows" in response.text:
        table = Table("row", "column", "reason", title="Rows refused — nothing was written")
        for error in response.json().get("errors", []):
            table.add_row(str(error.get("row", "")), str(error.get("column", error.get("field", ""))),
                          str(error.get("reason", error.get("message", ""))))
        console.print(table)
        raise typer.Exit(1)
    _fail_on_problem(response)
    console.print(f"[green]imported[/green] {response.json()}")


@app.command("run-evaluation")
def run_evaluation(year: int = typer.Option(..., help="the year to grade"),
                   ruleset: str | None = typer.Option(None, help="ruleset id (default: the one in force)"),
                   evaluation: str = typer.Option("http://127.0.0.1:8002", envvar="LANDGRADE_EVALUATION_URL"),
                   token: str | None = TokenOption) -> None:
    """Start the yearly evaluation run and follow its progress."""
    body: dict[str, object] = {"year": year} | ({"ruleset_id": ruleset} if ruleset else {})
    with _client(evaluation, [RUNS_WRITE], token) as client:
        started = client.post("/v1/evaluation-runs", json=body)
        _fail_on_problem(started)
        run = started.json()
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), console=console) as progress:
            task = progress.add_task(f"run {run['id']}", total=run.get("total") or None)
            while run.get("state") in ("queued", "running"):
                time.sleep(0.5)
                response = client.get(f"/v1/evaluation-runs/{run['id']}")
                _fail_on_problem(response)
                run = response.json()
                progress.update(task, total=run.get("total") or None, completed=run.get("graded", 0))
    console.print_json(data=run)


@app.command("export")
def export(what: str = typer.Argument(..., help="grades | public"),
           out: Path = typer.Option(..., help="the .xlsx or .csv file to write"),
           year: int | None = typer.Option(None), grade: str | None = typer.Option(None),
           street: str | None = typer.Option(None),
           evaluation: str = typer.Option("http://127.0.0.1:8002", envvar="LANDGRADE_EVALUATION_URL"),
           credit: str = typer.Option("http://127.0.0.1:8003", envvar="LANDGRADE_CREDIT_URL"),
           token: str | None = TokenOption) -> None:
    """Export a grade list (grades:read) or the public list of quality land holders to XLSX or CSV."""
    from landgrade.exports import write_csv, write_xlsx

    if what not in ("grades", "public"):
        raise typer.BadParameter("choose grades or public", param_hint="WHAT")
    base, path = (evaluation, "/v1/grades") if what == "grades" else (credit, "/v1/public/quality-holders")
    params = {k: v for k, v in {"year": year, "grade": grade, "street": street}.items() if v is not None}
    rows = list(_pages(base, path, params, [GRADES_READ] if what == "grades" else [], token))
    columns = sorted({k for row in rows for k, v in row.items() if not isinstance(v, (dict, list))})
    write = write_csv if out.suffix.lower() == ".csv" else write_xlsx
    write(out, columns, ([row.get(c) for c in columns] for row in rows))
    console.print(f"wrote {len(rows)} row(s) to {out}")


def _pages(base: str, path: str, params: dict[str, Any], scopes: list[str],
           token: str | None) -> Iterator[dict[str, Any]]:
    """Follows either pagination style the services use: `next` cursor (`after=`) or offset/total."""
    with _client(base, scopes, token) as client:
        after: Any = None
        offset = 0
        while True:
            query = params | {"limit": 500} | ({"after": after} if after else {"offset": offset})
            response = client.get(path, params=query)
            _fail_on_problem(response)
            page = response.json()
            items = page.get("items", [])
            yield from items
            offset += len(items)
            if "next" in page:
                after = page["next"]
                if not after:
                    return
            elif not items or offset >= int(page.get("total", 0)):
                return
