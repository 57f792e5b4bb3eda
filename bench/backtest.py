"""Figure `warning_backtest`: the outlook (动态监测) judged like a model on the demo's history.

The demo's generator (`landgrade.demo.dataset.generate`, the rows `make run` loads) is drawn with a
seed the outlook was never tuned on. Each full year after the first is replayed as it stood at the
end of Q1, Q2 and Q3: for every parcel that held A the year before, "will lose A" is predicted
from that year's quarters so far and compared with the grade its whole year earns by the
per-hectare thresholds of the default ruleset. Violations are left out on both sides: they come
from findings, not filings, and no projection of filings can foresee them.

Baselines, in the same run: year-to-date pro rata (q quarters of four) and last year's grade
(nobody moves: recall 0). The goal: the outlook's F1 above both baselines' at Q2 and Q3.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from importlib import resources
from typing import Any

from bench.config import Config
from bench.stack import log
from evaluation.domain.backtest import Backtest, Case, Score, backtest
from evaluation.domain.grades import Grade
from evaluation.domain.money import per_hectare
from evaluation.domain.outlook import OutlookSettings, YearQuarters, by_year
from evaluation.domain.ruleset import Thresholds
from evaluation.domain.ruleset_codec import ruleset_from_dict
from evaluation.domain.rulesets import DEFAULT_RULESET_ID
from landgrade.demo.dataset import generate


def _thresholds() -> Thresholds:
    text = resources.files("evaluation.domain.rulesets").joinpath(f"{DEFAULT_RULESET_ID}.json").read_text()
    return ruleset_from_dict(json.loads(text)).thresholds


def _grade(output: YearQuarters, tax: YearQuarters, area_m2: Decimal, thresholds: Thresholds) -> Grade:
    meets = (per_hectare(output.total, area_m2) >= thresholds.output_per_ha
             and per_hectare(tax.total, area_m2) >= thresholds.tax_per_ha)
    return Grade.A if meets else Grade.B


def cases(parcels: int, seed: int, thresholds: Thresholds) -> dict[int, list[Case]]:
    data = generate(parcels, seed=seed)
    output: dict[str, list[tuple[int, int | None, Decimal]]] = defaultdict(list)
    tax: dict[str, list[tuple[int, int | None, Decimal]]] = defaultdict(list)
    for f in data.filings:
        output[f["parcel_id"]].append((f["year"], f.get("quarter"), Decimal(f["output_value"])))
        tax[f["parcel_id"]].append((f["year"], f.get("quarter"), Decimal(f["tax_paid"])))
    full_years = sorted({f["year"] for f in data.filings if f.get("quarter") == 4})
    replayed: dict[int, list[Case]] = {}
    for year in full_years[1:]:
        replayed[year] = []
        for parcel in data.parcels:
            pid, area = parcel["parcel_id"], Decimal(str(parcel["area_m2"]))
            outs, taxes = by_year(output[pid]), by_year(tax[pid])
            if year not in outs or year - 1 not in outs:
                continue
            replayed[year].append(Case(
                pid, parcel["category"], area,
                grade_before=_grade(outs[year - 1], taxes[year - 1], area, thresholds),
                final_grade=_grade(outs[year], taxes[year], area, thresholds),
                output=outs[year], tax=taxes[year],
                output_history=[v for y, v in outs.items() if y < year],
                tax_history=[v for y, v in taxes.items() if y < year]))
    return replayed


def _score(score: Score) -> dict[str, Any]:
    p, r = score.precision, score.recall
    f1 = (2 * p * r / (p + r)) if p is not None and r is not None and (p + r) > 0 else Decimal(0)
    return {"predicted": score.predicted, "true_positives": score.true_positives,
            "precision": None if p is None else round(float(p), 3),
            "recall": None if r is None else round(float(r), 3), "f1": round(float(f1), 3)}


def _quarter(result: Backtest) -> dict[str, Any]:
    return {"held_a": result.parcels, "lost_a": result.outlook.actual, "outlook": _score(result.outlook),
            "pro_rata": _score(result.pro_rata), "last_year": _score(result.last_year)}


def run(cfg: Config) -> dict[str, Any]:
    thresholds, settings = _thresholds(), OutlookSettings()
    log(f"backtest: demo of {cfg.backtest_parcels} parcels, seed {cfg.backtest_seed}")
    figures: dict[str, Any] = {"parcels": cfg.backtest_parcels, "seed": cfg.backtest_seed}
    beats = []
    for year, year_cases in cases(cfg.backtest_parcels, cfg.backtest_seed, thresholds).items():
        for quarter in (1, 2, 3):
            shown = _quarter(backtest(year_cases, quarter, thresholds, settings))
            figures[f"{year}_Q{quarter}"] = shown
            if quarter >= 2:
                beats.append(shown["outlook"]["f1"] > max(shown["pro_rata"]["f1"], shown["last_year"]["f1"]))
    figures["goal"] = "outlook F1 above pro rata's and last year's at Q2 and Q3"
    figures["goal_met"] = bool(beats) and all(beats)
    return figures
