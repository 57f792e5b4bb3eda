"""The parcel health card (体检表): output and tax per hectare against the ruleset's thresholds,
and what it would take to reach the next grade.

Everything is read from the grade document (its `metrics` and `reasons`) and the ruleset that
graded it: the console never applies a threshold of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

YI = Decimal(100_000_000)  # 亿元
WAN = Decimal(10_000)  # 万元


@dataclass(frozen=True)
class Bar:
    """A measure per hectare against its threshold; `percent` is the bar's length (capped at 100)."""
    key: str  # output_per_ha | tax_per_ha
    value: Decimal
    threshold: Decimal

    @property
    def met(self) -> bool:
        return self.value >= self.threshold

    @property
    def percent(self) -> int:
        if self.threshold <= 0:
            return 100
        return int(min(Decimal(100), self.value * 100 / self.threshold))


@dataclass(frozen=True)
class Step:
    """One thing to do: `code` names it, `zh`/`en` say it with the figures."""
    code: str
    zh: str
    en: str


def decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def yi(amount: Decimal) -> str:
    """CNY as 亿元 with two decimals (0.62 亿元)."""
    return f"{(amount / YI).quantize(Decimal('0.01'))}"


def wan(amount: Decimal) -> str:
    """CNY as 万元 with two decimals."""
    return f"{(amount / WAN).quantize(Decimal('0.01'))}"


def bars(grade: dict[str, Any], thresholds: dict[str, Any]) -> list[Bar]:
    metrics = grade.get("metrics") or {}
    out = []
    for key in ("output_per_ha", "tax_per_ha"):
        value, threshold = decimal(metrics.get(key)), decimal(thresholds.get(key))
        if value is not None and threshold is not None:
            out.append(Bar(key, value, threshold))
    return out


# What clears each kind of violation, by the reason code's stem (the evaluation's reason codes).
_CLEARING: dict[str, tuple[str, str]] = {
    "unauthorised_lease": ("终止未经管委会批准的出租，或报管委会批准后重新评价",
                           "end the lease the Administrative Committee has not approved, or have it approved; "
                           "then the parcel is evaluated again"),
    "litigation": ("涉法涉诉事项结案后重新评价", "the litigation must be closed; then the parcel is evaluated again"),
    "abandoned": ("项目复工建设并完成整改后重新评价",
                  "construction must resume and the rectification be completed; then it is evaluated again"),
    "stalled": ("项目复工建设并完成整改后重新评价",
                "construction must resume and the rectification be completed; then it is evaluated again"),
    "residential_conversion": ("恢复工业用途（整改工改住）后重新评价",
                               "the industrial use must be restored; then the parcel is evaluated again"),
    "illegal_construction": ("拆除或整改违法建设后重新评价",
                             "the illegal construction must be removed or rectified; then it is evaluated again"),
    "non_industrial_use": ("恢复工业用途后重新评价", "the industrial use must be restored; then it is evaluated again"),
}


def _clearing(code: str) -> tuple[str, str]:
    for stem, text in _CLEARING.items():
        if stem in code:
            return text
    return ("消除该情形并整改完成后重新评价", "the condition must be removed and rectified; then it is evaluated again")


def what_it_would_take(grade: dict[str, Any], thresholds: dict[str, Any]) -> list[Step]:
    """The steps from this grade to the next one up. A violation (a reason that sets C or D) comes
    first: while it stands, no output lifts the grade. A B below the thresholds gets the missing
    output and tax per hectare, and for the whole parcel."""
    current = grade.get("grade")
    if current == "A":
        return [Step("keep_a", "已是最高等级 A：保持产值、税收达标且无违规即可。",
                     "Already grade A: keep output and tax above the thresholds with no violation.")]
    steps: list[Step] = []
    for reason in grade.get("reasons") or []:
        if reason.get("grade") in ("C", "D"):
            zh, en = _clearing(str(reason.get("code", "")))
            clause = reason.get("clause_id") or ""
            steps.append(Step(f"clear:{reason.get('code')}", f"{reason.get('zh', '')}（{clause}）：{zh}。",
                              f"{reason.get('en', '')} ({clause}): {en}."))
    if steps:
        return steps
    area = decimal((grade.get("metrics") or {}).get("area_ha"))
    for bar in bars(grade, thresholds):
        if bar.met:
            continue
        gap = bar.threshold - bar.value
        if bar.key == "output_per_ha":
            zh, en = f"产值还差 {yi(gap)} 亿元/公顷", f"output is {yi(gap)} hundred million CNY/ha short"
        else:
            zh, en = f"税收还差 {wan(gap)} 万元/公顷", f"tax is {wan(gap)} ten thousand CNY/ha short"
        if area:
            total = gap * area
            whole = yi(total) + " 亿元" if bar.key == "output_per_ha" else wan(total) + " 万元"
            zh += f"（全宗地 {area} 公顷合计约 {whole}）"
            en += f" ({whole.replace(' 亿元', ' hundred million CNY').replace(' 万元', ' ten thousand CNY')}"
            en += f" for the whole {area} ha)"
        steps.append(Step(f"gap:{bar.key}", zh, en))
    if not steps and current == "B":
        steps.append(Step("commitment", "达到入区协议中的经济效益承诺即可评为 A。",
                          "Meeting the economic commitment of the entry agreement gives grade A."))
    return steps
