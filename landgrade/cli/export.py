"""`landgrade export`: the lists the land office hands on, to XLSX or CSV.

    landgrade export A --year 2025 --street 荣华 --out A-2025-荣华.xlsx
    landgrade export D --year 2025 --out D-2025.csv
    landgrade export green-channel --out green-channel.xlsx
    landgrade export public --year 2025 --out quality-holders-2025.xlsx
"""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import typer

from landgrade.cli.common import TokenOption, client, console, fail_on_problem, now, pages
from landgrade.exports import Column, write_report
from landgrade.lists import (
    BENEFIT_COLUMNS,
    GRADE_COLUMNS,
    PUBLIC_COLUMNS,
    UnknownStreet,
    grade_row,
    street,
)
from landgrade.roles import BENEFITS_READ, GRADES_READ, REGISTRY_READ

app = typer.Typer()

GRADE_LISTS = {"A": "A", "C": "C", "D": "D", "grades": None}
TITLES = {"A": ("A类名单（优质用地权利人）", "A list (quality land holders)"),
          "C": ("C类名单（城市更新引导）", "C list (renewal guidance)"),
          "D": ("D类名单（执法处置）", "D list (enforcement)"),
          "grades": ("评价结果", "grades"),
          "green-channel": ("绿色通道名单", "green channel"),
          "public": ("优质用地权利人公示名单", "public list of quality holders")}
WORKERS = 8  # parallel reads of grade documents: the services answer each in milliseconds


@app.command("export")
def export(what: str = typer.Argument(..., help="A | C | D | grades | green-channel | public"),
           out: Path = typer.Option(..., help="the .xlsx or .csv file to write"),
           year: int | None = typer.Option(None, help="default: the latest year that has a run"),
           street_name: str | None = typer.Option(None, "--street", help="name (荣华, 荣华街道), code or English"),
           lang: str = typer.Option("zh", help="zh (default) or en: headers and labels"),
           registry: str = typer.Option("http://127.0.0.1:8001", envvar="LANDGRADE_REGISTRY_URL"),
           evaluation: str = typer.Option("http://127.0.0.1:8002", envvar="LANDGRADE_EVALUATION_URL"),
           credit: str = typer.Option("http://127.0.0.1:8003", envvar="LANDGRADE_CREDIT_URL"),
           token: str | None = TokenOption) -> None:
    """Export a list the policy names, in Chinese (`--lang en` for English), in the order a report reads."""
    if what not in TITLES:
        raise typer.BadParameter(f"choose one of {', '.join(TITLES)}", param_hint="WHAT")
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter("write .xlsx or .csv", param_hint="--out")
    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh or en", param_hint="--lang")
    try:
        place = street(street_name) if street_name else None
    except UnknownStreet as unknown:
        raise typer.BadParameter(str(unknown), param_hint="--street") from None
    columns: tuple[Column, ...]
    if what in GRADE_LISTS:
        listed_year, rows = _grade_rows(what, year, place.name_zh if place else None, lang,
                                        registry, evaluation, token)
        columns = GRADE_COLUMNS
    elif what == "green-channel":
        listed_year, columns = year, BENEFIT_COLUMNS
        rows = [_benefit_row(item) for item in pages(credit, "/v1/benefits", {"list": "green_channel"},
                                                     [BENEFITS_READ], token)]
    else:
        params = {"year": year} if year else {}
        rows = list(pages(credit, "/v1/public/quality-holders", params, [], token))
        listed_year, columns = (rows[0]["year"] if rows else year), PUBLIC_COLUMNS
    title_zh, title_en = TITLES[what]
    about = _about(title_zh if lang == "zh" else title_en, listed_year, place.name_zh if place else None,
                   len(rows), token, lang)
    count = write_report(out, columns, rows, about, lang, title=title_zh if lang == "zh" else title_en)
    console.print(f"已写入 {count} 行到 {out}" if lang == "zh" else f"wrote {count} row(s) to {out}")
    if count == 0:
        console.print("[yellow]没有符合条件的记录。[/yellow]" if lang == "zh" else "[yellow]Nothing matched.[/yellow]")


def _grade_rows(what: str, year: int | None, street_zh: str | None, lang: str, registry: str,
                evaluation: str, token: str | None) -> tuple[int | None, list[dict[str, Any]]]:
    params: dict[str, Any] = {k: v for k, v in {"year": year, "grade": GRADE_LISTS[what],
                                                  "street": street_zh}.items() if v is not None}
    grades = list(pages(evaluation, "/v1/grades", params, [GRADES_READ], token))
    listed_year = year or (grades[0]["year"] if grades else None)
    with client(evaluation, [GRADES_READ], token) as grading, client(registry, [REGISTRY_READ], token) as ledger:
        def document(grade: dict[str, Any]) -> dict[str, Any] | None:
            return _json(grading.get(f"/v1/parcels/{grade['parcel_id']}/grade", params={"year": grade["year"]}))

        def parcel(parcel_id: str) -> dict[str, Any] | None:
            return _json(ledger.get(f"/v1/parcels/{parcel_id}"))

        def enterprise_name(uscc: str) -> str | None:
            found = _json(ledger.get(f"/v1/enterprises/{uscc}"))
            return found.get("name") if found else None

        with ThreadPoolExecutor(WORKERS) as pool:
            documents = list(pool.map(document, grades))
            parcels = list(pool.map(parcel, [g["parcel_id"] for g in grades]))
            holders = sorted({g["holder_uscc"] for g in grades if g.get("holder_uscc")})
            names = dict(zip(holders, pool.map(enterprise_name, holders), strict=True))
    rows = [grade_row(g, d, p, names.get(g.get("holder_uscc") or ""), lang)
            for g, d, p in zip(grades, documents, parcels, strict=True)]
    return listed_year, rows


def _json(response: httpx.Response) -> dict[str, Any] | None:
    if response.status_code == 404:
        return None
    fail_on_problem(response)
    found: dict[str, Any] = response.json()
    return found


def _benefit_row(item: dict[str, Any]) -> dict[str, Any]:
    grounds = item.get("grounds")
    reason = item.get("reason") or ""
    if isinstance(grounds, list) and grounds:
        reason = "；".join(str(g.get("zh") or g) if isinstance(g, dict) else str(g) for g in grounds)
    return {"uscc": item.get("uscc"), "name": item.get("name"), "since": item.get("since"), "reason": reason}


def _about(title: str, year: int | None, street_zh: str | None, count: int, token: str | None,
           lang: str) -> list[tuple[str, str]]:
    who = _subject(token) or "landgrade-cli"
    labels = (("名单", "年度", "街道/镇", "条数", "导出时间（北京时间）", "导出人")
              if lang == "zh" else ("List", "Year", "Street or town", "Rows", "Exported at (Beijing time)", "By"))
    values = (title, str(year or ""), street_zh or ("全部" if lang == "zh" else "all"), str(count),
              now().strftime("%Y-%m-%d %H:%M"), who)
    return list(zip(labels, values, strict=True))


def _subject(token: str | None) -> str | None:
    """Who exports, as the token names them (read for the 说明 sheet only; the services verify it)."""
    if not token or token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return str(subject) if subject else None
