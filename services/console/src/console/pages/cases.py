"""The cases board: enforcement (D) and renewal-guidance (C) cases by state, overdue first, and a
transition with who (the signed-in person, by the token), why and the due date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from console.upstream import UpstreamError
from console.web import CallsDep, CsrfDep, SessionDep, redirect, render
from servicekit.problems import Problem, Text

router = APIRouter()


@router.get("/cases")
async def cases_page(request: Request, session: SessionDep, calls: CallsDep, kind: str | None = None,
                     street: str | None = None, overdue: bool = Query(False)) -> Response:
    found = await calls.maybe("enforcement", "/v1/cases", kind=kind or None, street=street or None,
                              overdue=overdue or None, limit=200)
    by_state: dict[str, list[dict[str, Any]]] = {}
    if isinstance(found, dict):
        for case in sorted(found.get("items") or [], key=lambda c: (not c.get("overdue"), c.get("due_date") or "")):
            by_state.setdefault(case["state"], []).append(case)
    return render(request, "cases.html", session, cases=found, by_state=by_state, kind=kind or "",
                  is_error=lambda value: isinstance(value, UpstreamError))


@router.post("/cases/{case_id}/transitions")
async def move(case_id: str, _: CsrfDep, calls: CallsDep, to: Annotated[str, Form(max_length=40)],
               reason: Annotated[str, Form(min_length=1, max_length=2000)],
               expected_state: Annotated[str, Form(max_length=40)],
               due_date: Annotated[date | None, Form()] = None) -> Response:
    body: dict[str, Any] = {"to": to, "reason": reason, "expected_state": expected_state}
    if due_date:
        body["due_date"] = due_date.isoformat()
    try:
        await calls.post("enforcement", f"/v1/cases/{case_id}/transitions", json=body)
    except UpstreamError as error:
        payload = error.body if isinstance(error.body, dict) else {}
        raise Problem(error.status if 400 <= error.status < 500 else 502,
                      str(payload.get("title") or Text("案件未能变更", "The case was not moved")),
                      payload.get("detail"), type_=str(payload.get("type") or "about:blank"),
                      errors=payload.get("errors")) from None
    return redirect("/cases")
