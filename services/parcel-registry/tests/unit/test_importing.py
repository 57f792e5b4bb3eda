from decimal import Decimal

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.importing import validate_rows
from parcel_registry.domain.parcels import ParcelCategory
from parcel_registry.domain.row_cells import RowError

HOLDER = with_check_character("91110115MA0000001")
HEADERS = ["parcel_id", "name", "street", "area_m2", "category", "rights_holder", "address"]


def row(**changes: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "parcel_id": "YZ-001",
        "name": "Optics plant",
        "street": "boxing",
        "area_m2": "25,000.5",
        "category": "self_use",
        "rights_holder": HOLDER,
        "address": "",
    }
    return base | changes


def test_good_rows_become_parcels() -> None:
    result = validate_rows(HEADERS, [(2, row()), (3, row(parcel_id="YZ-002", category="立项园区", street="荣华街道"))])
    assert result.ok
    assert [(p.parcel_id, p.category, p.jurisdiction) for p in result.parcels] == [
        ("YZ-001", ParcelCategory.SELF_USE, "boxing"),
        ("YZ-002", ParcelCategory.APPROVED_PARK, "ronghua"),
    ]
    assert result.parcels[0].area_m2 == Decimal("25000.5")


def test_every_bad_cell_is_reported_with_row_and_column() -> None:
    bad_check = HOLDER[:-1] + ("0" if HOLDER[-1] != "0" else "1")
    result = validate_rows(
        HEADERS,
        [
            (2, row()),
            (3, row(parcel_id="YZ-002", area_m2="-5", rights_holder=bad_check)),
            (4, row(parcel_id="YZ-003", name="A\x00B", street="海淀")),
        ],
    )
    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {
        (3, "area_m2"),
        (3, "rights_holder"),
        (4, "name"),
        (4, "street"),
    }
    assert any("check character" in e.reason for e in result.errors)
    assert any("NUL" in e.reason for e in result.errors)


def test_chinese_headers_are_understood() -> None:
    headers = ["宗地编号", "名称", "街道/镇", "面积(平方米)", "类别", "产权人统一社会信用代码"]
    cells = ["YZ-9", "园区", "台湖镇", "1200", "城市更新园区", HOLDER]
    result = validate_rows(headers, [(2, dict(zip(headers, cells, strict=True)))])
    assert result.ok and result.parcels[0].category is ParcelCategory.RENEWAL_PARK


def test_header_problems_stop_the_import_at_row_one() -> None:
    result = validate_rows(["parcel_id", "name", "colour"], [(2, {"parcel_id": "x"})])
    assert RowError(1, "colour", "unknown column") in result.errors
    assert {e.column for e in result.errors if e.reason == "required column is missing"} == {
        "street",
        "area_m2",
        "category",
        "rights_holder",
    }
    assert result.parcels == []


def test_duplicate_parcel_ids_are_reported_on_the_later_row() -> None:
    result = validate_rows(HEADERS, [(2, row()), (3, row())])
    assert result.errors == [RowError(3, "parcel_id", "parcel YZ-001 already appears in row 2")]


def test_blank_rows_are_skipped_but_an_empty_sheet_is_an_error() -> None:
    blank = dict.fromkeys(HEADERS, "")
    assert validate_rows(HEADERS, [(2, row()), (3, blank)]).ok
    assert validate_rows(HEADERS, [(2, blank)]).errors[0].reason == "the file has no data rows"


def test_commitment_columns_must_come_together() -> None:
    headers = [
        *HEADERS,
        "committed_output_value",
        "committed_tax",
        "commitment_from_year",
        "production_start_due",
    ]
    good = row(committed_output_value="300000000", committed_tax="20000000", commitment_from_year="2024")
    good["production_start_due"] = "2025/06/30"
    result = validate_rows(headers, [(2, good), (3, row(parcel_id="YZ-2", committed_output_value="5"))])
    assert [(e.row, e.column) for e in result.errors] == [(3, "committed_tax"), (3, "commitment_from_year")]
    terms = result.parcels[0].contract_terms
    commitment = terms.commitment_for(2026)
    assert commitment is not None and commitment.output_value == Decimal(300000000)
    assert terms.deadlines[0].due_on.isoformat() == "2025-06-30"
