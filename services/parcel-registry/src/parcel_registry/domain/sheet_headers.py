"""The headers of a parcel sheet: one alias table of Chinese and English headers, the unit a
header names, and where the header row is.

A header is read after NFKC (full-width brackets and letters as ASCII, ㎡ as m2), without blanks,
and matched case-blind. A header may name its unit in brackets, `面积(亩)`, `承诺年产值(万元)`:
the cells are converted exactly with Decimal. 1 亩 = 10000/15 m²; an area in 亩 is converted to m²
and rounded to 2 decimal places, half up (ROUND_HALF_UP), the precision a land certificate shows.
公顷 and 万元/亿元 convert without rounding; a converted amount must still come to whole fen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# column -> the headers it is read under (besides its own name); the clerk's guide lists them.
ALIASES: dict[str, tuple[str, ...]] = {
    "parcel_id": ("宗地编号", "地块编号", "宗地代码", "地块代码", "台账编号", "parcel id"),
    "name": ("名称", "宗地名称", "地块名称", "项目名称"),
    "address": ("地址", "坐落", "土地坐落", "宗地坐落"),
    "street": ("街道/镇", "街道", "街镇", "属地街道/镇", "所属街道", "所属街道/镇", "属地", "jurisdiction"),
    "area_m2": ("面积", "用地面积", "宗地面积", "土地面积", "占地面积", "area"),
    "category": ("类别", "用地类别", "项目类别"),
    "rights_holder": ("产权人统一社会信用代码", "产权人USCC", "权利人统一社会信用代码", "土地使用权人统一社会信用代码",
                      "统一社会信用代码", "rights_holder_uscc", "holder uscc"),
    "rights_holder_name": ("土地使用权人", "权利人名称", "权利人", "产权人", "产权人名称", "土地使用权人名称",
                           "holder name"),
    "committed_output_value": ("承诺年产值", "承诺产值", "约定年产值", "约定产值"),
    "committed_tax": ("承诺年税收", "承诺税收", "约定年税收", "约定税收"),
    "commitment_from_year": ("承诺起始年度", "承诺起始年", "承诺开始年度"),
    "commitment_to_year": ("承诺截止年度", "承诺截止年", "承诺结束年度"),
    "production_start_due": ("约定投产日期", "约定投产时间", "投产期限"),
    "geometry": ("GeoJSON", "范围", "宗地范围"),
}
REQUIRED = frozenset({"parcel_id", "name", "street", "area_m2", "category", "rights_holder"})
# Columns a clerk's sheet often carries that the ledger does not keep: read past, never refused.
IGNORED = frozenset({"序号", "备注", "no", "no.", "remarks", "错误说明"})
AREA_COLUMNS = frozenset({"area_m2"})
MONEY_COLUMNS = frozenset({"committed_output_value", "committed_tax"})


@dataclass(frozen=True)
class Unit:
    name: str  # as the guide writes it
    factor: Decimal
    places: int | None = None  # rounded to this many decimal places (half up) after converting


SQUARE_METRE = Unit("m²", Decimal(1))
YUAN = Unit("元", Decimal(1))
AREA_UNITS = {
    "m2": SQUARE_METRE, "m²": SQUARE_METRE, "平方米": SQUARE_METRE, "平米": SQUARE_METRE,
    "公顷": Unit("公顷", Decimal(10_000)), "ha": Unit("公顷", Decimal(10_000)),
    "亩": Unit("亩", Decimal(10_000) / Decimal(15), 2),
}
MONEY_UNITS = {"元": YUAN, "cny": YUAN, "万元": Unit("万元", Decimal(10_000)), "亿元": Unit("亿元", Decimal(10) ** 8)}
UNITS_BY_COLUMN = {**{c: AREA_UNITS for c in AREA_COLUMNS}, **{c: MONEY_UNITS for c in MONEY_COLUMNS}}
BASE_UNIT = {**{c: SQUARE_METRE for c in AREA_COLUMNS}, **{c: YUAN for c in MONEY_COLUMNS}}

_BY_LABEL = {_k: column for column, aliases in ALIASES.items() for _k in (column, *aliases)}
_UNIT_SUFFIX = re.compile(r"^(?P<base>.+?)\((?P<unit>[^()]+)\)$")


def _key(label: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label)).lower()


_LOOKUP = {_key(label): column for label, column in _BY_LABEL.items()}


@dataclass(frozen=True)
class Header:
    """What one header of the clerk's sheet means: its column and the unit its cells are in."""

    label: str
    column: str | None
    unit: Unit | None = None
    ignored: bool = False
    problem: tuple[str, str] | None = None  # (Chinese, English) when the header cannot be read

    def convert(self, value: Decimal) -> Decimal:
        if self.unit is None or self.unit.factor == 1:
            return value
        converted = value * self.unit.factor
        if self.unit.places is not None:
            converted = converted.quantize(Decimal(1).scaleb(-self.unit.places), rounding=ROUND_HALF_UP)
        return converted


def read_header(label: str) -> Header:
    key = _key(label)
    if not key:
        return Header(label, None)
    if key in IGNORED:
        return Header(label, None, ignored=True)
    if key in _LOOKUP:
        return Header(label, _LOOKUP[key], BASE_UNIT.get(_LOOKUP[key]))
    found = _UNIT_SUFFIX.match(key)
    if found and (column := _LOOKUP.get(found["base"])) is not None:
        units = UNITS_BY_COLUMN.get(column)
        unit = units.get(found["unit"]) if units else None
        if unit is None:
            allowed = "、".join(dict.fromkeys(u.name for u in (units or {}).values())) or "无"
            return Header(label, column, problem=(
                f"无法识别的单位“{found['unit']}”（可用：{allowed}）",
                f"unknown unit {found['unit']!r} (allowed: {allowed.replace('、', ', ')})"))
        return Header(label, column, unit)
    return Header(label, None, problem=("无法识别的列", "unknown column"))


def is_instructions(sheet_name: str) -> bool:
    """A sheet of notes for the clerk (说明, 填表说明, Instructions): never read as data."""
    key = _key(sheet_name)
    return any(word in key for word in ("说明", "instruction", "readme", "notes"))


def header_score(cells: Sequence[object]) -> int:
    """How many required columns a row names: a header row names them all."""
    found = {read_header(str(c)).column for c in cells if c is not None}
    return len(found & REQUIRED)


def header_row(rows: Iterable[Sequence[object]]) -> int | None:
    """The index of the header row among a sheet's first rows (title rows above it are skipped):
    the first row naming every required column, else the row naming most of them; None when no
    row names any."""
    best, best_score = None, 0
    for index, cells in enumerate(rows):
        score = header_score(cells)
        if score == len(REQUIRED):
            return index
        if score > best_score:
            best, best_score = index, score
    return best
