"""Rules JSON Schema cannot state (a comparison across fields or items, a bound relative to today),
stated beside each operation's schema in its `x-landgrade-rules`, so a client built from the
OpenAPI document can apply them too. Each rule names the fields exactly as a 422 answer's
`errors[].field` names them; the schema states every other rule itself."""

from __future__ import annotations

from typing import Any

Rule = dict[str, Any]


def rule(fields: list[str], zh: str, en: str) -> Rule:
    return {"fields": fields, "zh": zh, "en": en}


def stated(*rules: Rule, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An operation's `openapi_extra`: its rules, merged into what else it states."""
    return {**(extra or {}), "x-landgrade-rules": list(rules)}


def each(list_name: str, field: str, bound: int) -> list[str]:
    """A field of every item of a list of at most `bound` items, as an answer names it."""
    return [f"{list_name}[{i}].{field}" for i in range(bound)]


def parcel_rules(max_commitments: int, max_flags: int) -> list[Rule]:
    return [
        rule(each("commitments", "to_year", max_commitments),
             "承诺的截止年度不能早于起始年度。", "A commitment's to_year is not before its from_year."),
        rule(each("commitments", "from_year", max_commitments),
             "各项承诺的年度不能重叠。", "No two commitments cover the same year."),
        rule(each("flags", "cleared_on", max_flags),
             "标记的解除日期不能早于标记日期。", "A flag's cleared_on is not before its since."),
        rule(["geometry"], "地块轮廓的每个环须首尾相同（闭合）。", "Each ring of the outline ends where it starts."),
    ]


SHARES_RULE = rule(["shareholders"], "同一企业各股东的持股比例合计不超过 100%。",
                   "The shares of one enterprise's shareholders add up to at most 100 %.")


def listed_once_rules(max_persons: int, max_shareholders: int) -> list[Rule]:
    """An enterprise's people and shareholders each listed once (by ID number or USCC, which a
    schema cannot compare across items), and no enterprise among its own shareholders."""
    return [
        rule([f"responsible_persons[{i}]" for i in range(max_persons)],
             "同一人在同一职务上只能列出一次。", "The same person is listed once per role."),
        rule([f"shareholders[{i}]" for i in range(max_shareholders)],
             "同一股东只能列出一次。", "Each shareholder is listed once."),
        rule(each("shareholders", "uscc", max_shareholders),
             "企业不能持有自己的股份。", "An enterprise is not among its own shareholders."),
    ]


FILING_YEAR_RULE = rule(["year"], "申报年度不能晚于当前年度（北京时间）。",
                        "A filing's year is not after the current year (Beijing time).")
LEASE_END_RULE = rule(["end"], "租赁的结束日期不能早于开始日期。", "A lease's end is not before its start.")
# What a sheet holds is no JSON value: its encoding, its workbook and its header row of ledger
# columns (the operation's description lists them) are checked on reading, answered on `file`.
SHEET_RULE = rule(["file"], "表格须为 UTF-8 或 GB 18030 编码的 CSV 或 XLSX 文件，且表头含地块表的列（见说明）。",
                  "The sheet is a CSV (UTF-8 or GB 18030) or XLSX file whose header row has columns of a parcel "
                  "sheet (listed in the description).")
# Acts on the ledger (分宗, 合宗, 收回, 变更用途) are recorded once they have taken effect.
ACT_DATE_RULE = rule(["effective_on"], "生效日期不能晚于今天（北京时间）。",
                     "effective_on is not after today (Beijing time).")


def child_ids_rule(bound: int) -> Rule:
    return rule(each("children", "parcel_id", bound), "分宗后的各新地块编号互不相同，且不同于原地块编号。",
                "The new parcels' ids differ from each other and from the split parcel's id.")
