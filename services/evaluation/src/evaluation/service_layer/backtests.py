"""The outlook judged like a model on stored data: a past year replayed as it stood at the end of a
quarter, against that year's grades (`domain.backtest`), for the parcels graded A the year before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaluation.domain.backtest import Case, Score, backtest
from evaluation.domain.grades import Grade
from evaluation.domain.outlook import YearQuarters, by_year
from evaluation.domain.ruleset import covered_years, select_ruleset
from evaluation.service_layer.grading import NoRuleset
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork

_EMPTY = (Decimal(0), Decimal(0), Decimal(0), Decimal(0))  # a year with no quarterly filing


async def run_backtest(uow: EvaluationUnitOfWork, year: int, quarter: int) -> dict[str, Any]:
    async with uow:
        stored = await uow.rulesets.all()
        ruleset = select_ruleset(stored, year)
        if ruleset is None:
            raise NoRuleset(year, covered_years(stored, uow.clock().year))
        rows, quarters = await uow.monitoring.replay(year, quarter)
    cases = []
    for r in rows:
        own = quarters.get(r.parcel_id, [])
        output = by_year((y, q, o) for y, q, o, _ in own)
        tax = by_year((y, q, t) for y, q, _, t in own)
        cases.append(Case(
            parcel_id=r.parcel_id, category=r.category, area_m2=r.area_m2, grade_before=Grade(r.grade_before),
            final_grade=Grade(r.grade), output=output.get(year, YearQuarters(year, _EMPTY)),
            tax=tax.get(year, YearQuarters(year, _EMPTY)),
            output_history=[h for y, h in output.items() if y < year],
            tax_history=[h for y, h in tax.items() if y < year]))
    result = backtest([c for c in cases if c.area_m2 > 0], quarter, ruleset.thresholds, ruleset.outlook)
    return {
        "year": year, "quarter": quarter, "ruleset_id": ruleset.id, "parcels": result.parcels,
        # Grades not yet final make the outcome provisional: said, never hidden.
        "grades_final": all(r.status == "final" for r in rows),
        "methods": [_score("outlook", result.outlook), _score("pro_rata", result.pro_rata),
                    _score("last_year", result.last_year)],
    }


def _score(method: str, score: Score) -> dict[str, Any]:
    def shown(value: Decimal | None) -> str | None:
        return None if value is None else format(value.quantize(Decimal("0.0001")), "f")

    return {"method": method, "predicted": score.predicted, "true_positives": score.true_positives,
            "actual": score.actual, "precision": shown(score.precision), "recall": shown(score.recall),
            "f1": shown(score.f1)}
