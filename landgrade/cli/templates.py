"""`landgrade template parcels OUT.xlsx`: the sheet to fill in for `landgrade import parcels`."""

from __future__ import annotations

from pathlib import Path

import typer

from landgrade.cli.common import TokenOption, client, console, fail_on_problem
from landgrade.roles import PARCELS_WRITE

app = typer.Typer()
template_app = typer.Typer(help="Templates of the sheets the services import.", no_args_is_help=True)
app.add_typer(template_app, name="template")


@template_app.command("parcels")
def parcels(out: Path = typer.Argument(..., dir_okay=False, help="where to write the template (.xlsx)"),
            registry: str = typer.Option("http://127.0.0.1:8001", "--registry", envvar="LANDGRADE_REGISTRY_URL"),
            token: str | None = TokenOption) -> None:
    """The parcel sheet template: Chinese headers, a 说明 sheet, drop-down lists for category and street."""
    with client(registry, [PARCELS_WRITE], token) as http:
        answer = http.get("/v1/parcels/import-template")
    fail_on_problem(answer)
    out.write_bytes(answer.content)
    console.print(f"已写出模板：{out}")
