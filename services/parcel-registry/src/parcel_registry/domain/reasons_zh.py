"""The Chinese of the reasons the registry's checks give in English (the domain speaks English to
machines and logs; people read Chinese first). A reason not listed here is shown in Chinese
with the English after it, never dropped."""

from __future__ import annotations

import re

_EXACT = {
    "must be text": "应为文本",
    "contains a NUL byte": "含有空字符（NUL）",
    "contains a control character": "含有控制字符",
    "must not be empty": "不能为空",
    "must not contain spaces": "不能含有空格",
    "must not contain / \\ ? # or %": "不能含有 / \\ ? # 或 %",
    "must be a decimal amount in CNY": "应为人民币金额（十进制数）",
    "must not be negative": "不能为负数",
    "must not be negative zero (-0)": "不能为负零（-0）",
    "must have at most 2 decimal places (fen)": "最多两位小数（分）",
    "must be a decimal area in m²": "应为面积（平方米，十进制数）",
    "must be greater than 0 m²": "面积必须大于 0 平方米",
    "must have at most 4 decimal places": "最多四位小数",
    "must be a whole year": "应为整年份",
    "must be a year between 1949 and 2200": "年份应在 1949 至 2200 之间",
    "must be a year such as 2024": "应为年份，例如 2024",
    "must be a date such as 2025-06-30": "应为日期，例如 2025-06-30",
    "must be a date": "应为日期",
    "is not valid JSON": "不是有效的 JSON",
    "must be a GeoJSON object": "应为 GeoJSON 对象",
    "unknown column": "无法识别的列",
    "required column is missing": "缺少必填列",
    "the file has no data rows": "文件中没有数据行",
    "the file has none of the columns of a parcel sheet": "文件中没有地块表的任何一列，不是地块表格",
    "must not be before from_year": "不能早于起始年度",
    "overlaps another commitment's years": "与另一项承诺的年度重叠",
    "a commitment needs output value, tax and the first year": "承诺须同时填写年产值、年税收和起始年度",
    "must be a decimal string or an integer, not a binary float": "应为十进制数字文本或整数",
    "must be a finite number": "应为有限数值",
    "must be a decimal number": "应为数字",
    "must not be before the flag's date": "不能早于标记日期",
    "is already the rights holder": "已是土地使用权人",
    "is the parcel's rights holder, who cannot lease from itself": "是该地块的土地使用权人，不能向自己出租",
    "with the other leases of the period exceeds the parcel": "与同期其他租赁合计超过地块面积",
    "must name at least two parcels": "须至少列出两宗地块",
}

_WHAT = {"rights holder": "土地使用权人", "street": "街道或镇", "category": "用地类别"}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"must not be after the current year: allowed (\d+) to (\d+)"),
     r"不能晚于当前年度：允许 \1 至 \2 年"),
    (re.compile(r"parcel (.+) is not in the ledger"), r"地块 \1 不在台账中"),
    (re.compile(r"(\w+) (.+) is not in the ledger"), r"\2 不在台账中"),
    (re.compile(r"filing (.+) is not on record, so revision (\d+) has nothing to correct; send the original as "
                r"revision 0"), r"申报 \1 尚无记录，修订版 \2 无可更正；请先以修订版 0 报送原始申报"),
    (re.compile(r"filing (.+) revision (\d+) is on record with different content; to correct it send revision "
                r"(\d+)"), r"申报 \1 修订版 \2 已有不同内容的记录；如需更正请报送修订版 \3"),
    (re.compile(r"filing (.+) is at revision (\d+); the next correction must be revision (\d+), not (\d+)"),
     r"申报 \1 当前为修订版 \2；下一次更正应为修订版 \3，而非 \4"),
    (re.compile(r"the file is empty"), r"文件为空"),
    (re.compile(r"exceeds the parcel's area of (.+) m²"), r"超过地块面积 \1 平方米"),
    (re.compile(r"a reason is required to change (.+)"), r"变更 \1 须说明理由"),
    (re.compile(r"must be after the day the current holder's period began \((.+)\)"),
     r"须晚于现权利人的起始日（\1）"),
    (re.compile(r"must not be after today \((.+)\): a transfer is recorded once it has taken effect"),
     r"不能晚于今天（\1）：转让生效后方可登记"),
    (re.compile(r"parcel (.+) is named more than once"), r"地块 \1 重复列出"),
    (re.compile(r"parcel (.+) is the parcel being split or merged"), r"地块 \1 是被分宗或合宗的地块本身"),
    (re.compile(r"parcel (.+) is already in the ledger"), r"地块 \1 已在台账中，新地块须用新编号"),
    (re.compile(r"the areas sum to (.+) m², not the parcel's (.+) m²"),
     r"各宗面积合计 \1 平方米，与原地块面积 \2 平方米不符"),
    (re.compile(r"must not be after today \((.+)\): an act is recorded once it has taken effect"),
     r"不能晚于今天（\1）：生效后方可登记"),
    (re.compile(r"must not be before the day the current holder's period began \((.+)\)"),
     r"不能早于现权利人的起始日（\1）"),
    (re.compile(r"parcel (.+) ended on (.+) \(split into (.+)\): an ended parcel takes no further act"),
     r"地块 \1 已于 \2 分宗为 \3 而终止：已终止的地块不能再办理任何事项"),
    (re.compile(r"parcel (.+) ended on (.+) \(merged into (.+)\): an ended parcel takes no further act"),
     r"地块 \1 已于 \2 合宗为 \3 而终止：已终止的地块不能再办理任何事项"),
    (re.compile(r"parcel (.+) ended on (.+) \(right ended\): an ended parcel takes no further act"),
     r"地块 \1 的土地使用权已于 \2 收回：已终止的地块不能再办理任何事项"),
    (re.compile(r"the CSV file is neither UTF-8 nor GB 18030 text"), r"CSV 文件既不是 UTF-8 也不是 GB 18030 编码"),
    (re.compile(r"the (CSV|XLSX) file cannot be read: (.+)"), r"无法读取 \1 文件（\2）"),
    (re.compile(r"the workbook has no sheet of parcels \(only notes\)"), r"工作簿中没有地块数据表（只有说明）"),
    (re.compile(r"'(.*)' is not a street or town of E-Town.*"), r"“\1”不是亦庄新城的街道或镇"),
    (re.compile(r"a USCC has 18 characters, got (\d+)"), r"统一社会信用代码应为 18 位，实际为 \1 位"),
    (re.compile(r"character (\d+) '(.)' is not allowed in a USCC.*"), r"第 \1 位字符“\2”不能出现在统一社会信用代码中"),
    (re.compile(r"characters 3-8 \(the region code\) must be digits"), r"第 3-8 位（登记管理机关行政区划码）应为数字"),
    (re.compile(r"check character is '(.)' but the first 17 characters require '(.)'"),
     r"校验位为“\1”，按前 17 位应为“\2”"),
    (re.compile(r"is longer than (\d+) characters"), r"长度超过 \1 个字符"),
    (re.compile(r"must not exceed ([\d,]+) CNY"), r"不能超过 \1 元"),
    (re.compile(r"must not exceed ([\d,]+) m²"), r"不能超过 \1 平方米"),
    (re.compile(r"'(.*)' is not a decimal number"), r"“\1”不是数字"),
    (re.compile(r"column (\w+) appears twice"), r"列 \1 重复出现"),
    (re.compile(r"parcel (.+) already appears in row (\d+)"), r"地块 \1 已在第 \2 行出现"),
    (re.compile(r"must be one of (.+)"), r"应为以下之一：\1"),
    (re.compile(r"digit (.+) is not accepted: write digits as 0-9"), r"不接受数字 \1，请用 0-9 书写"),
    (re.compile(r"character (.+) is not accepted in a number"), r"数字中不接受字符 \1"),
]


_DIFFERENT = re.compile(r"the parcels differ in (rights holder|street|category): only parcels of one \1 are merged")


def in_chinese(reason: str) -> str:
    if reason in _EXACT:
        return _EXACT[reason]
    if different := _DIFFERENT.fullmatch(reason):
        return f"各地块的{_WHAT[different[1]]}不同：只有同一{_WHAT[different[1]]}的地块才能合宗"
    for pattern, replacement in _PATTERNS:
        if pattern.fullmatch(reason):
            return pattern.sub(replacement, reason)
    if "; " in reason:  # several reasons of one value, each put in Chinese
        return "；".join(in_chinese(part) for part in reason.split("; "))
    return f"取值无效（{reason}）"
