"""`landgrade import-parcels`: a land-ledger sheet into the registry, all rows or none."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from landgrade.cli.common import TokenOption, client, console, fail_on_problem
from landgrade.roles import PARCELS_WRITE

app = typer.Typer()


@app.command("import-parcels")
def import_parcels(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="a .csv or .xlsx file"),
                   registry: str = typer.Option("http://127.0.0.1:8001", envvar="LANDGRADE_REGISTRY_URL"),
                   token: str | None = TokenOption) -> None:
    """Import parcels from CSV/XLSX: all rows or none, with a report of every bad row."""
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    if path.suffix.lower() == ".xlsx" else "text/csv")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), console=console) as progress:
        task = progress.add_task(f"uploading {path.name}", total=path.stat().st_size)
        with client(registry, [PARCELS_WRITE], token) as http, path.open("rb") as handle:
            response = http.post("/v1/parcels/import", files={"file": (path.name, handle, content_type)})
        progress.update(task, completed=path.stat().st_size, description="validated and written")
    if response.status_code == 422 and "rows" in response.text:
        table = Table("row", "column", "reason", title="Rows refused — nothing was written")
        for error in response.json().get("errors", []):
            table.add_row(str(error.get("row", "")), str(error.get("column", error.get("field", ""))),
                          str(error.get("reason", error.get("message", ""))))
        console.print(table)
        raise typer.Exit(1)
    fail_on_problem(response)
    console.print(f"[green]imported[/green] {response.json()}")
