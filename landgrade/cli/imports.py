"""`landgrade import parcels FILE`: a land-ledger sheet into the registry, all rows or none.

A large sheet becomes an import job on the registry, which this command follows to its end. A
refusal is shown as a table in Chinese (sheet, the row Excel shows, the clerk's own column
header, the problem); `--report` writes the clerk's sheet back with every bad cell marked.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.table import Table

from landgrade.cli.common import TokenOption, client, console, fail_on_problem
from landgrade.roles import PARCELS_WRITE

app = typer.Typer()
import_app = typer.Typer(help="Import sheets into the land ledger (all rows or none).", no_args_is_help=True)
app.add_typer(import_app, name="import")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSED = "https://landgrade.example/problems/import-refused"
POLL_SECONDS = 1.0
RegistryOption = typer.Option("http://127.0.0.1:8001", "--registry", envvar="LANDGRADE_REGISTRY_URL")
ReportOption = typer.Option(None, "--report", dir_okay=False,
                            help="on a refusal, write the sheet back here (.xlsx) with every bad cell marked")


def _content_type(path: Path) -> str:
    return XLSX if path.suffix.lower() in (".xlsx", ".xlsm") else "text/csv"


def _send(http: httpx.Client, url: str, path: Path) -> httpx.Response:
    with path.open("rb") as handle:
        return http.post(url, files={"file": (path.name, handle, _content_type(path))})


def _follow(http: httpx.Client, location: str) -> dict[str, Any]:
    """Polls an import job until it has ended."""
    with console.status("导入任务已排队……") as status:
        while True:
            answer = http.get(location)
            fail_on_problem(answer)
            job: dict[str, Any] = answer.json()
            if job["state"] in ("succeeded", "failed"):
                return job
            status.update("导入任务进行中……" if job["state"] == "running" else "导入任务已排队……")
            time.sleep(POLL_SECONDS)


def _imported(result: dict[str, Any], converted: list[dict[str, Any]]) -> None:
    console.print(f"[green]已导入 {result['imported']} 个地块[/green]（新增 {result['created']}，"
                  f"更新 {result['updated']}，未变 {result['unchanged']}）")
    for unit in converted:
        console.print(f"  “{unit['header']}”列 {unit['rows']} 个值由{unit['from']}换算为{unit['to']}")


def _refusal(problems: list[dict[str, Any]], total: int) -> None:
    table = Table("工作表", "行", "列", "问题", title=f"共 {total} 个问题，未导入任何数据")
    for problem in problems:
        table.add_row(str(problem.get("sheet") or ""), str(problem.get("row", "")),
                      str(problem.get("column", "")), str(problem.get("message", "")))
    console.print(table)
    if len(problems) < total:
        console.print(f"仅列出前 {len(problems)} 个；用 --report 写出标注了全部问题的表格。")


def _write_report(http: httpx.Client, path: Path, report: Path) -> None:
    answer = _send(http, "/v1/parcels/import/report", path)
    fail_on_problem(answer)
    report.write_bytes(answer.content)
    console.print(f"已写出错误说明表：{report}（{answer.headers.get('x-problems-total', '?')} 个问题已标注）")


@import_app.command("parcels")
def parcels(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="a .csv or .xlsx file"),
            report: Path | None = ReportOption, registry: str = RegistryOption,
            token: str | None = TokenOption) -> None:
    """Import parcels from CSV/XLSX: all rows or none, with every problem shown in Chinese."""
    with client(registry, [PARCELS_WRITE], token) as http:
        http.headers["Accept-Language"] = "zh"
        with console.status(f"正在上传并检查 {path.name}……"):
            answer = _send(http, "/v1/parcels/import", path)
        if answer.status_code == 202:
            job = _follow(http, answer.headers["location"])
            if job["state"] == "succeeded":
                _imported(job["result"], job.get("converted", []))
                return
            if job["failure"]["type"] != REFUSED:
                console.print(f"[red]导入失败[/red] {job['failure']['detail']}")
                raise typer.Exit(1)
            problems, total = job["problems"], job["problems_total"]
        elif answer.status_code == 422 and answer.json().get("type") == REFUSED:
            problems, total = answer.json()["errors"], answer.json()["problems_total"]
        else:
            fail_on_problem(answer)
            body = answer.json()
            _imported(body, body.get("converted", []))
            return
        _refusal(problems, total)
        if report is not None:
            _write_report(http, path, report)
    raise typer.Exit(1)


@app.command("import-parcels", hidden=True)
def import_parcels(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="a .csv or .xlsx file"),
                   report: Path | None = ReportOption, registry: str = RegistryOption,
                   token: str | None = TokenOption) -> None:
    """The earlier name of `landgrade import parcels`."""
    parcels(path, report, registry, token)
