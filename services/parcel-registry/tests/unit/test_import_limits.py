"""The bulk import's bounds: file size, rows, and how many problems a refusal lists."""

from __future__ import annotations

import io
import threading

import pytest
from openpyxl import Workbook

from landgrade_reference.uscc import with_check_character
from parcel_registry.adapters.spreadsheets import TooManySheetRows, read_sheet
from parcel_registry.entrypoints.http.deps import import_refused, import_too_large, too_many_rows
from parcel_registry.service_layer import parcels
from parcel_registry.service_layer.parcels import ImportLimits, ImportRefused, UnreadableFile, check_sheet

HOLDER = with_check_character("91110115MA0000001")
HEADER = "parcel_id,name,street,area_m2,category,rights_holder\n"


def sheet(rows: int, area: str = "100") -> bytes:
    return (HEADER + "".join(f"P-{n},Plant,boxing,{area},self_use,{HOLDER}\n" for n in range(rows))).encode()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(parcels.ImportTooLarge) as refused:
        check_sheet(sheet(10), ImportLimits(max_bytes=100))
    problem = import_too_large(refused.value)
    assert problem.status == 413 and problem.body()["title"] == "导入文件过大"
    assert problem.body(language="en")["title"] == "Import file too large"
    assert problem.body()["detail"].startswith("文件超过 100 字节的上限")


def test_rows_past_the_limit_are_refused_blank_rows_not_counted() -> None:
    assert len(check_sheet(sheet(5), ImportLimits(max_rows=5))[0].parcels) == 5
    with pytest.raises(parcels.TooManyRows) as refused:
        check_sheet(sheet(6), ImportLimits(max_rows=5))
    problem = too_many_rows(refused.value)
    assert problem.status == 422 and "5 行" in problem.body()["detail"]
    assert "more than 5 data rows" in problem.body(language="en")["detail"]
    assert len(read_sheet(sheet(3) + b",,,,,\n" * 5, max_rows=3, max_bytes=10**6).rows) == 8
    with pytest.raises(TooManySheetRows):
        read_sheet(sheet(1) + b",,,,,\n" * 100, max_rows=1, max_bytes=10**6)  # blank rows are bounded too


def test_xlsx_rows_past_the_limit_are_refused() -> None:
    book = Workbook()
    ws = book.active
    ws.append(HEADER.strip().split(","))
    for n in range(4):
        ws.append([f"P-{n}", "Plant", "boxing", 100, "self_use", HOLDER])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(parcels.TooManyRows):
        check_sheet(out.getvalue(), ImportLimits(max_rows=3))
    with pytest.raises(parcels.ImportTooLarge):  # the parts inflate past ten times the limit
        check_sheet(out.getvalue(), ImportLimits(max_bytes=len(out.getvalue()) // 5))


def test_a_refusal_lists_the_first_problems_and_counts_them_all() -> None:
    with pytest.raises(parcels.ImportRefused) as refused:
        check_sheet(sheet(30, area="-1"), ImportLimits(max_listed_problems=10))
    problem = import_refused(refused.value)
    body = problem.body()
    assert body["problems_total"] == 30 and len(body["errors"]) == 10
    assert [e["row"] for e in body["errors"]] == list(range(2, 12))
    assert body["detail"].startswith("共发现 30 个问题，列出前 10 个")
    english = problem.body(language="en")["detail"]
    assert english.startswith("30 problem(s) found; the first 10 are listed")


async def test_the_sheet_is_read_and_checked_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = parcels.validate_rows

    def spy(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parcels, "validate_rows", spy)
    with pytest.raises(parcels.ImportRefused):
        await parcels.import_sheet(None, sheet(2, area="-1"), None)  # type: ignore[arg-type]
    assert threads and threads[0] is not threading.main_thread()


def test_a_file_with_no_column_of_a_parcel_sheet_is_refused_as_a_file_not_column_by_column() -> None:
    with pytest.raises(UnreadableFile, match="none of the columns of a parcel sheet"):
        check_sheet(b"%PDF-1.4\n1 0 obj\n", ImportLimits())
    with pytest.raises(ImportRefused) as refused:  # a parcel sheet with one stray column is told by column
        check_sheet(b"parcel_id,name,colour\nA1,One,red\n", ImportLimits())
    assert ("colour", "unknown column") in {(e.column, e.reason) for e in refused.value.errors}
