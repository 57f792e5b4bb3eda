"""`landgrade export`: grade lists and the public list to XLSX or CSV."""

from __future__ import annotations

from pathlib import Path

import typer

from landgrade.cli.common import TokenOption, console, pages
from landgrade.roles import GRADES_READ

app = typer.Typer()


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
    rows = list(pages(base, path, params, [GRADES_READ] if what == "grades" else [], token))
    columns = sorted({k for row in rows for k, v in row.items() if not isinstance(v, (dict, list))})
    write = write_csv if out.suffix.lower() == ".csv" else write_xlsx
    write(out, columns, ([row.get(c) for c in columns] for row in rows))
    console.print(f"wrote {len(rows)} row(s) to {out}")
