"""Publication: start the yearly run (its progress polled by htmx), publish it for objections,
the objection queue with decisions, finalize; and the ruleset what-if."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from console.pages.map import default_year
from console.upstream import Calls, UpstreamError
from console.views.health import decimal
from console.web import CallsDep, CsrfDep, SessionDep, WebDep, redirect, render
from servicekit.problems import Problem, Text

router = APIRouter()


def _passed_on(error: UpstreamError) -> Problem:
    payload = error.body if isinstance(error.body, dict) else {}
    return Problem(error.status if 400 <= error.status < 500 else 502,
                   str(payload.get("title") or Text("上游服务暂不可用", "A service is unavailable")),
                   payload.get("detail"), type_=str(payload.get("type") or "about:blank"),
                   errors=payload.get("errors"))


async def _post(calls: Calls, path: str, body: dict[str, Any] | None = None, key: str | None = None) -> Any:
    try:
        return await calls.post("evaluation", path, json=body or {},
                                headers={"Idempotency-Key": key} if key else {})
    except UpstreamError as error:
        raise _passed_on(error) from None


@router.get("/publication")
async def publication_page(request: Request, w: WebDep, session: SessionDep, calls: CallsDep) -> Response:
    runs, objections = await calls.gather(calls.maybe("evaluation", "/v1/evaluation-runs", limit=10),
                                          calls.maybe("evaluation", "/v1/objections", limit=200))
    return render(request, "publication.html", session, runs=runs, objections=objections, year=default_year(w),
                  run_key=secrets.token_urlsafe(12), is_error=lambda value: isinstance(value, UpstreamError))


@router.get("/publication/runs/{run_id}")
async def run_fragment(request: Request, run_id: str, session: SessionDep, calls: CallsDep) -> Response:
    run = await calls.maybe("evaluation", f"/v1/evaluation-runs/{run_id}")
    return render(request, "run.html", session, run=run, is_error=lambda value: isinstance(value, UpstreamError))


@router.post("/publication/runs")
async def start_run(_: CsrfDep, calls: CallsDep, year: Annotated[int, Form(ge=2000, le=2100)],
                    key: Annotated[str, Form(min_length=8, max_length=64)]) -> Response:
    # The form's own key: a double click or a re-sent form starts one run, not two.
    await _post(calls, "/v1/evaluation-runs", {"year": year}, key=f"console-run:{key}")
    return redirect("/publication")


@router.post("/publication/runs/{run_id}/{step}")
async def run_step(run_id: str, step: str, _: CsrfDep, calls: CallsDep,
                   window_days: Annotated[int | None, Form(ge=0, le=365)] = None) -> Response:
    if step not in ("publish", "finalize"):
        raise Problem(404, Text("未知操作", "Unknown step"))
    body = {"objection_window_days": window_days} if step == "publish" and window_days is not None else {}
    await _post(calls, f"/v1/evaluation-runs/{run_id}/{step}", body)
    return redirect("/publication")


@router.post("/publication/objections/{objection_id}/decision")
async def decide(objection_id: str, _: CsrfDep, calls: CallsDep, decision: Annotated[str, Form(max_length=20)],
                 note: Annotated[str, Form(min_length=1, max_length=10000)],
                 grade: Annotated[str, Form(max_length=1)] = "") -> Response:
    body: dict[str, Any] = {"decision": decision, "note": note}
    if grade in ("A", "B", "C", "D"):
        body["grade"] = grade
    await _post(calls, f"/v1/objections/{objection_id}/decision", body)
    return redirect("/publication")


@router.get("/whatif")
async def whatif_page(request: Request, w: WebDep, session: SessionDep, calls: CallsDep) -> Response:
    rulesets = await calls.maybe("evaluation", "/v1/rulesets")
    current: Any = None
    if isinstance(rulesets, dict) and rulesets.get("items"):
        current = await calls.maybe("evaluation", f"/v1/rulesets/{rulesets['items'][-1]['id']}")
    return render(request, "whatif.html", session, ruleset=current, result=None, year=default_year(w),
                  is_error=lambda value: isinstance(value, UpstreamError))


@router.post("/whatif")
async def whatif(request: Request, w: WebDep, session: CsrfDep, calls: CallsDep,
                 ruleset_id: Annotated[str, Form(max_length=100)], year: Annotated[int, Form(ge=2000, le=2100)],
                 output_per_ha: Annotated[str, Form(max_length=30)], tax_per_ha: Annotated[str, Form(max_length=30)],
                 no_filing_grade: Annotated[str, Form(max_length=1)] = "") -> Response:
    must = Text("应为不小于 0 的金额（元/公顷）", "a non-negative CNY/ha amount")
    errors = [{"field": name, "in": "body", "message": must}
              for name, value in (("output_per_ha", output_per_ha), ("tax_per_ha", tax_per_ha))
              if (amount := decimal(value)) is None or amount < 0]
    if errors:
        raise Problem(422, Text("请求参数有误", "Invalid request"), errors=errors)
    changes: dict[str, Any] = {"thresholds": {"output_per_ha": output_per_ha, "tax_per_ha": tax_per_ha}}
    if no_filing_grade in ("A", "B", "C", "D"):
        changes["gaps"] = {"no_filing_grade": no_filing_grade}
    current = await calls.maybe("evaluation", f"/v1/rulesets/{ruleset_id}")
    result = await calls.post("evaluation", f"/v1/rulesets/{ruleset_id}/simulate",
                              json={"year": year, "changes": changes, "limit": 500}) \
        if not isinstance(current, UpstreamError) else current
    return render(request, "whatif.html", session, ruleset=current, result=result, year=year,
                  is_error=lambda value: isinstance(value, UpstreamError))
