"""The lists the policy names, as the land office hands them on: grade lists (A quality holders,
C for renewal guidance, D for enforcement), the green channel, the public list.

Rows are composed from the services' answers (evaluation's grades and their documents, the
registry's parcels and enterprises, the credit ledger's benefits) in the order a report reads,
with Chinese headers by default. Money per hectare is shown in the units people use: output in
亿元/公顷, tax in 万元/公顷; areas in 公顷. Pure: no I/O here (the CLI and the console fetch).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from landgrade.exports import Column
from landgrade_reference.jurisdictions import JURISDICTIONS, Jurisdiction, known_jurisdiction

YI, WAN, M2_PER_HA = Decimal(100_000_000), Decimal(10_000), Decimal(10_000)

CATEGORY = {"self_use": ("自用工业用地项目", "self-use industrial project"),
            "approved_park": ("立项园区", "approved park"),
            "renewal_park": ("城市更新园区", "urban-renewal park")}
STATUS = {"provisional": ("暂定", "provisional"), "final": ("正式", "final"),
          "published": ("公示中", "published for objections"), "draft": ("暂定", "provisional")}

GRADE_COLUMNS = (
    Column("parcel_id", "地块编号", "Parcel id", width=16),
    Column("street", "街道/镇", "Street or town", width=12),
    Column("holder_name", "土地使用权人", "Rights holder", width=30),
    Column("holder_uscc", "统一社会信用代码", "USCC", width=22),
    Column("category", "用地类别", "Category", width=18),
    Column("area_ha", "面积(公顷)", "Area (ha)", "number", "0.0000", 12),
    Column("output_per_ha", "地均产值(亿元/公顷)", "Output per ha (100M CNY)", "number", "0.00", 18),
    Column("tax_per_ha", "地均税收(万元/公顷)", "Tax per ha (10k CNY)", "number", "0.00", 18),
    Column("grade", "等级", "Grade", width=8),
    Column("status", "状态(暂定/正式)", "Status", width=14),
    Column("reasons", "理由", "Reasons", width=80),
)
BENEFIT_COLUMNS = (
    Column("uscc", "统一社会信用代码", "USCC", width=22),
    Column("name", "企业名称", "Enterprise", width=30),
    Column("since", "起始日期", "Since", "date", width=12),
    Column("reason", "依据", "Grounds", width=80),
)
PUBLIC_COLUMNS = (
    Column("enterprise_name", "企业名称", "Enterprise", width=30),
    Column("uscc", "统一社会信用代码", "USCC", width=22),
    Column("parcel_id", "地块编号", "Parcel id", width=16),
    Column("year", "年度", "Year", "number", "0", 8),
)


class UnknownStreet(ValueError):
    def __init__(self, text: str) -> None:
        known = "、".join(j.name_zh for j in JURISDICTIONS)
        super().__init__(f"“{text}”不是亦庄新城的街道或镇；可选：{known}（也可用代码或英文名）")


def street(text: str) -> Jurisdiction:
    """A street or town by its name (with or without 街道/镇), code or English name."""
    found = known_jurisdiction(text)
    if found is None:
        raise UnknownStreet(text)
    return found


def _label(table: Mapping[str, tuple[str, str]], value: Any, lang: str) -> str | None:
    if value is None:
        return None
    zh, en = table.get(str(value), (str(value), str(value)))
    return en if lang == "en" else zh


def _scaled(value: Any, unit: Decimal) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)) / unit


def grade_row(grade: Mapping[str, Any], document: Mapping[str, Any] | None, parcel: Mapping[str, Any] | None,
              holder_name: str | None, lang: str = "zh") -> dict[str, Any]:
    """One parcel's line: the grade as listed, its document's metrics and reasons, the parcel."""
    metrics = (document or {}).get("metrics") or {}
    area_m2 = (parcel or {}).get("area_m2")
    place = known_jurisdiction(str(grade.get("street") or (parcel or {}).get("street") or ""))
    reasons = [r.get("en" if lang == "en" else "zh") or "" for r in (document or {}).get("reasons", [])]
    return {
        "parcel_id": grade["parcel_id"],
        "street": (place.name_en if lang == "en" else place.name_zh) if place else grade.get("street"),
        "holder_name": holder_name,
        "holder_uscc": grade.get("holder_uscc") or (parcel or {}).get("rights_holder"),
        "category": _label(CATEGORY, (parcel or {}).get("category"), lang),
        "area_ha": _scaled(area_m2, M2_PER_HA) if area_m2 is not None else _scaled(metrics.get("area_ha"), Decimal(1)),
        "output_per_ha": _scaled(metrics.get("output_per_ha"), YI),
        "tax_per_ha": _scaled(metrics.get("tax_per_ha"), WAN),
        "grade": grade.get("grade"),
        "status": _label(STATUS, grade.get("status"), lang),
        "reasons": "；".join(r for r in reasons if r) if lang != "en" else "; ".join(r for r in reasons if r),
    }
