"""`landgrade import parcels` as a clerk sees it: a refusal as a table in Chinese, nothing said about
writing unless something was written, `--report` writing the annotated sheet, a job followed to
its end. The registry's answers are played back (the API itself is tested on a real database)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from landgrade.cli import app, imports

REFUSED = {
    "type": "https://landgrade.example/problems/import-refused", "title": "导入被拒绝", "status": 422,
    "problems_total": 2,
    "errors": [{"sheet": "台账", "row": 5, "column": "宗地面积(亩)", "field": "area_m2",
                "message": "面积必须大于 0 平方米"}],
}


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Callable[[httpx.Request], httpx.Response]], None]]:
    def install(answer: Callable[[httpx.Request], httpx.Response]) -> None:
        def client(url: str, scopes: list[str], token: str | None) -> httpx.Client:
            return httpx.Client(base_url=url, transport=httpx.MockTransport(answer))

        monkeypatch.setattr(imports, "client", client)
        monkeypatch.setattr(imports, "POLL_SECONDS", 0.0)

    yield install


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_a_refusal_is_a_chinese_table_and_nothing_is_said_to_be_written(
    tmp_path: Path, registry: Callable[..., None]
) -> None:
    sheet = tmp_path / "台账.xlsx"
    sheet.write_bytes(b"PK\x03\x04 the clerk's sheet")
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/v1/parcels/import/report":
            return httpx.Response(200, content=b"annotated", headers={"x-problems-total": "2"})
        return httpx.Response(422, json=REFUSED, headers={"content-type": "application/problem+json"})

    registry(answer)
    result = run("import", "parcels", str(sheet), "--report", str(tmp_path / "errors.xlsx"))
    assert result.exit_code == 1
    out = result.output
    assert "共 2 个问题，未导入任何数据" in out and "宗地面积(亩)" in out and "面积必须大于 0 平方米" in out
    assert "written" not in out and "已导入" not in out
    assert (tmp_path / "errors.xlsx").read_bytes() == b"annotated"
    assert seen == ["/v1/parcels/import", "/v1/parcels/import/report"]

    hidden = run("import-parcels", str(sheet))  # the earlier name still works
    assert hidden.exit_code == 1 and "共 2 个问题" in hidden.output


def test_a_large_sheet_is_followed_until_its_job_ends(tmp_path: Path, registry: Callable[..., None]) -> None:
    sheet = tmp_path / "parcels.csv"
    sheet.write_text("宗地编号\n", encoding="utf-8")
    states = iter(["queued", "running", "succeeded"])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(202, json={"job_id": "j1", "state": "queued"},
                                  headers={"location": "/v1/parcels/import-jobs/j1"})
        state = next(states)
        body: dict[str, Any] = {"job_id": "j1", "state": state}
        if state == "succeeded":
            body |= {"result": {"imported": 3, "created": 2, "updated": 1, "unchanged": 0},
                     "converted": [{"header": "面积(亩)", "from": "亩", "to": "m²", "rows": 3}]}
        return httpx.Response(200, content=json.dumps(body).encode())

    registry(answer)
    result = run("import", "parcels", str(sheet))
    assert result.exit_code == 0, result.output
    assert "已导入 3 个地块（新增 2，更新 1，未变 0）" in result.output
    assert "“面积(亩)”列 3 个值由亩换算为m²" in result.output
