"""The parcel sheet template: Chinese headers the import reads, a 说明 sheet (each column's
meaning, unit, whether it is required, an example) and drop-down lists on the coded columns
(category, and street or town from `landgrade_reference`)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from landgrade_reference.jurisdictions import JURISDICTIONS

DATA_SHEET = "地块台账"
NOTES_SHEET = "说明"
TEMPLATE_ROWS = 5000  # rows the drop-down lists cover
TEXT_ROWS = 1000
TEXT_COLUMNS = frozenset({"宗地编号", "产权人统一社会信用代码"})


@dataclass(frozen=True)
class TemplateColumn:
    header: str
    meaning: str
    unit: str
    required: bool
    example: str
    choices: tuple[str, ...] = ()


def columns() -> list[TemplateColumn]:
    streets = tuple(j.name_zh for j in JURISDICTIONS)
    return [
        TemplateColumn("宗地编号", "台账中的地块编号，每行唯一", "", True, "YZ-2024-0001"),
        TemplateColumn("宗地名称", "地块或项目名称", "", True, "亦庄精密制造基地"),
        TemplateColumn("坐落", "地块地址", "", False, "荣华南路 10 号"),
        TemplateColumn("街道/镇", "地块所在街道或镇（从下拉列表选择）", "", True, streets[0], streets),
        TemplateColumn("用地面积(平方米)", "宗地面积；表头可改写为 面积(亩) 或 面积(公顷)，按表头单位换算",
                       "平方米", True, "20000"),
        TemplateColumn("用地类别", "自用工业用地项目、立项园区或城市更新园区（从下拉列表选择）", "", True, "自用",
                       ("自用", "立项园区", "城市更新园区")),
        TemplateColumn("产权人统一社会信用代码", "土地使用权人的 18 位统一社会信用代码（校验位须正确）", "", True,
                       "91110302MA01A2B3C3"),
        TemplateColumn("土地使用权人", "土地使用权人名称，仅供核对，不写入台账", "", False, "北京亦庄精密制造有限公司"),
        TemplateColumn("承诺年产值(万元)", "出让合同约定的年产值；填写时须同时填写年税收和起始年度", "万元", False,
                       "18000"),
        TemplateColumn("承诺年税收(万元)", "出让合同约定的年税收", "万元", False, "1200"),
        TemplateColumn("承诺起始年度", "承诺开始适用的年度", "年", False, "2024"),
        TemplateColumn("承诺截止年度", "承诺最后适用的年度（不填为长期）", "年", False, "2033"),
        TemplateColumn("约定投产日期", "出让合同约定的投产日期", "日期", False, "2025-06-30"),
    ]


def template() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    notes = book.create_sheet(NOTES_SHEET)
    listed = book.create_sheet("代码表")
    listed.sheet_state = "hidden"
    bold = Font(bold=True)
    cols = columns()
    data.append([c.header for c in cols])
    notes.append(["列", "含义", "单位", "是否必填", "示例"])
    for cell in (*data[1], *notes[1]):
        cell.font = bold
    data.freeze_panes = "A2"
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(14, len(column.header) * 2 + 2)
        notes.append([column.header, column.meaning, column.unit or "—", "必填" if column.required else "选填",
                      column.example])
        if column.header in TEXT_COLUMNS:  # typed as text, so Excel keeps 001 and long codes as written
            for row in range(2, TEXT_ROWS + 2):
                data.cell(row, index).number_format = "@"
        if column.choices:  # a list in a hidden sheet: Excel's inline lists stop at 255 characters
            for row, choice in enumerate(column.choices, start=1):
                listed.cell(row, index, choice)
            source = f"代码表!${letter}$1:${letter}${len(column.choices)}"
            check = DataValidation(type="list", formula1=f"={source}", allow_blank=not column.required,
                                   showErrorMessage=True, errorTitle="取值无效",
                                   error=f"请从下拉列表选择{column.header}")
            data.add_data_validation(check)
            check.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    for letter, width in zip("ABCDE", (24, 60, 10, 10, 28), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
