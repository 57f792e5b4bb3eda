"""The enterprise page: my parcels, their grades with reasons and what it would take, my benefit
standing and credit records; file an objection during the window and follow it.

Everything is asked with the enterprise's own token (bound to its USCC): the services answer for
this enterprise only, and what its role may not read is shown as not available.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from console.pages.map import default_year
from console.upstream import UpstreamError
from console.views.health import what_it_would_take
from console.views.masking import masked
from console.web import CallsDep, CsrfDep, SessionDep, WebDep, redirect, render
from servicekit.problems import Problem, Text

router = APIRouter()


@router.get("/enterprise")
async def enterprise_page(request: Request, w: WebDep, session: SessionDep, calls: CallsDep) -> Response:
    if not session.uscc:
        raise Problem(403, Text("仅限企业账号", "Enterprise accounts only"),
                      Text("此页面展示登录企业自己的地块。", "This page shows the signed-in enterprise's own parcels."),
                      type_="https://landgrade.example/problems/enterprise-only")
    year = default_year(w)
    grades, benefits, credit, objections = await calls.gather(
        calls.maybe("evaluation", "/v1/grades", year=year, limit=200),
        calls.maybe("credit", f"/v1/benefits/{session.uscc}"),
        calls.maybe("credit", f"/v1/subjects/{session.uscc}/credit"),
        calls.maybe("evaluation", "/v1/objections", limit=100))
    parcels: list[dict[str, Any]] = []
    if isinstance(grades, dict):
        documents = await asyncio.gather(*(calls.maybe("evaluation", f"/v1/parcels/{g['parcel_id']}/grade", year=year)
                                           for g in grades.get("items") or []))
        rulesets: dict[str, Any] = {}
        for document in documents:
            if isinstance(document, dict) and document.get("ruleset_id") not in rulesets:
                found = await calls.maybe("evaluation", f"/v1/rulesets/{document['ruleset_id']}")
                rulesets[document["ruleset_id"]] = found.get("thresholds", {}) if isinstance(found, dict) else {}
        parcels = [{"grade": d, "steps": what_it_would_take(d, rulesets.get(str(d.get("ruleset_id")), {}))}
                   for d in documents if isinstance(d, dict)]
    return render(request, "enterprise.html", session, year=year, parcels=masked(parcels), grades=grades,
                  benefits=masked(benefits) if isinstance(benefits, dict) else benefits,
                  credit=masked(credit) if isinstance(credit, dict) else credit, objections=objections,
                  is_error=lambda value: isinstance(value, UpstreamError))


@router.post("/enterprise/objections")
async def file_objection(session: CsrfDep, calls: CallsDep, parcel_id: Annotated[str, Form(max_length=64)],
                         year: Annotated[int, Form(ge=2000, le=2100)],
                         statement: Annotated[str, Form(min_length=1, max_length=10000)],
                         requested_grade: Annotated[str, Form(max_length=1)] = "") -> Response:
    body: dict[str, Any] = {"parcel_id": parcel_id, "year": year, "statement": statement}
    if requested_grade in ("A", "B", "C", "D"):
        body["requested_grade"] = requested_grade
    try:
        await calls.post("evaluation", "/v1/objections", json=body,
                         headers={"Idempotency-Key": f"console:{session.subject}:{parcel_id}:{year}:{hash(statement)}"})
    except UpstreamError as error:
        payload = error.body if isinstance(error.body, dict) else {}
        raise Problem(error.status if 400 <= error.status < 500 else 502,
                      str(payload.get("title") or Text("异议未能提交", "The objection was not filed")),
                      payload.get("detail"), type_=str(payload.get("type") or "about:blank"),
                      errors=payload.get("errors")) from None
    return redirect("/enterprise")
