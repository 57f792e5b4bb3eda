"""The backtest endpoint on real PostgreSQL (filings fed through Kafka): a year replayed at the end
of Q2 against its grades, for three parcels whose outcome the test decides."""

from __future__ import annotations

import uuid
from typing import Any

from rich.console import Console
from typer.testing import CliRunner

from landgrade.cli import app
from landgrade.cli.backtest import backtest_table
from landgrade.testing import token

from .conftest import ADMIN, READ

# Years no other test grades: the replay reads every parcel graded in both.
BEFORE, YEAR = 2047, 2048
LAND_STAFF = token("runs:write")
EVEN = [100_000_000] * 4
BACK_LOADED = [50_000_000, 50_000_000, 50_000_000, 250_000_000]  # most output comes in Q4


async def _parcel_with(service: Any, years: dict[int, list[int]]) -> str:
    parcel, holder = f"P-BT-{uuid.uuid4().hex[:8]}", service.uscc()
    await service.parcel(parcel, holder)
    await service.grade_becomes(parcel, "B")  # registered before its filings arrive
    for year, outputs in years.items():
        for q, output in enumerate(outputs, start=1):
            await service.filing(parcel, holder, year, str(output), "7500000", quarter=q, filings=q,
                                 year_output=str(sum(outputs[:q])), year_tax=str(7_500_000 * q))
    return parcel


async def test_the_backtest_scores_the_outlook_against_the_years_grades(service) -> None:
    declining = await _parcel_with(service, {2046: EVEN, BEFORE: EVEN, YEAR: [50_000_000] * 4})
    steady = await _parcel_with(service, {2046: EVEN, BEFORE: EVEN, YEAR: EVEN})
    seasonal = await _parcel_with(service, {2046: BACK_LOADED, BEFORE: BACK_LOADED, YEAR: BACK_LOADED})
    for parcel in (declining, steady, seasonal):
        await service.grade_becomes(parcel, "A", BEFORE)
    await service.grade_becomes(declining, "B", YEAR)
    await service.grade_becomes(steady, "A", YEAR)
    await service.grade_becomes(seasonal, "A", YEAR)

    response = await service.client.get("/v1/backtests", params={"year": YEAR, "quarter": 2}, headers=LAND_STAFF)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["year"], body["quarter"], body["parcels"], body["grades_final"]) == (YEAR, 2, 3, False)
    methods = {m["method"]: m for m in body["methods"]}
    # The outlook knows the back-loaded parcel's Q4: only the decliner is called.
    assert methods["outlook"] == {"method": "outlook", "predicted": 1, "true_positives": 1, "actual": 1,
                                 "precision": "1.0000", "recall": "1.0000", "f1": "1.0000"}
    # Pro rata doubles the first half: the back-loaded parcel is a false alarm.
    assert (methods["pro_rata"]["predicted"], methods["pro_rata"]["precision"], methods["pro_rata"]["f1"]) == (
        2, "0.5000", "0.6667")
    # Last year's grade calls nobody: recall 0, precision undefined (never shown as perfect).
    assert (methods["last_year"]["recall"], methods["last_year"]["precision"]) == ("0.0000", None)

    # What `landgrade backtest --year 2048 --quarter 2` prints from this answer.
    shown = Console(width=200, record=True)
    shown.print(backtest_table(body))
    lines = shown.export_text().splitlines()
    assert any("2048年度 Q2" in line and "3 个上年A类地块" in line for line in lines)

    def cells(name: str) -> list[str]:
        line = next(line for line in lines if name in line)
        return [cell.strip() for cell in line.strip("│ ").split("│")]

    assert cells("outlook")[1:] == ["1", "1", "1", "1.00", "1.00", "1.00"]
    assert cells("pro rata")[1:] == ["2", "1", "1", "0.50", "1.00", "0.67"]
    assert cells("last year")[1:] == ["0", "0", "1", "–", "0.00", "–"]


async def test_the_backtest_is_for_land_staff_and_refuses_bad_input(service) -> None:
    assert (await service.client.get("/v1/backtests", params={"year": YEAR, "quarter": 2},
                                     headers=READ)).status_code == 403
    refused = CliRunner().invoke(app, ["backtest", "--year", str(YEAR), "--quarter", "4"])
    assert refused.exit_code == 2 and "quarter" in refused.output  # Q4 is the year itself: nothing to replay
    for params, field in (({"year": YEAR, "quarter": 4}, "quarter"), ({"year": YEAR}, "quarter"),
                          ({"year": 1999, "quarter": 1}, "year")):
        refused = await service.client.get("/v1/backtests", params=params, headers=ADMIN)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert field in refused.text
    # A year no ruleset covers is an answer about the stored rulesets: not found, naming the year.
    uncovered = await service.client.get("/v1/backtests", params={"year": 2020, "quarter": 1}, headers=ADMIN)
    assert uncovered.status_code == 404, uncovered.text
    assert uncovered.headers["content-type"] == "application/problem+json"
    assert uncovered.json()["type"].endswith("/no-ruleset-for-year") and uncovered.json()["errors"][0]["field"] == "year"
