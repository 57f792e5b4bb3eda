"""The inspector's phone page (street-office role): my street's tasks, and a finding with a photo.

Findings are posted by `static/inspector.js` from a queue kept on the phone: each carries the
`inspection_id` the phone gave it, so sending it again after a lost answer changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from console.upstream import UpstreamError
from console.web import CallsDep, CsrfDep, SessionDep, WebDep, render
from servicekit.problems import Problem, Text

router = APIRouter()

FindingType = Literal["unauthorised_lease", "non_industrial_use", "illegal_construction", "residential_conversion",
                      "abandoned", "litigation", "rectified", "no_issue"]
Attitude = Literal["undetermined", "cooperating_with_renewal", "refuses_to_correct"]
# The form's choices, in this order; each code is shown by its `finding.<code>` or
# `attitude.<code>` label in console.i18n (the code itself is the option's value only).
FINDING_TYPES: tuple[str, ...] = get_args(FindingType)
ATTITUDES: tuple[str, ...] = get_args(Attitude)
PHOTO_MAX_BYTES = 10 * 1024 * 1024


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: FindingType
    tenant_uscc: str | None = Field(None, max_length=40)
    holder_attitude: Attitude = "undetermined"
    note: str | None = Field(None, max_length=2000)


class Inspection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inspection_id: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")
    parcel_id: str = Field(min_length=1, max_length=64)
    inspected_at: datetime
    inspector: str = Field(min_length=1, max_length=100)
    findings: list[Finding] = Field(min_length=1, max_length=20)


def _passed_on(error: UpstreamError) -> Problem:
    """The service's refusal, passed on as it is (its type and fields), so the phone can tell a
    permanent refusal (4xx: drop from the queue, show it) from an outage (keep and retry)."""
    body = error.body if isinstance(error.body, dict) else {}
    status = error.status if 400 <= error.status < 500 else 502
    extra = {k: v for k, v in body.items() if k not in ("type", "title", "detail", "status", "errors", "instance")}
    return Problem(status, str(body.get("title") or Text("上游服务暂不可用", "A service is unavailable")),
                   body.get("detail"), type_=str(body.get("type") or "https://landgrade.example/problems/upstream"),
                   errors=body.get("errors"), **extra)


@router.get("/inspector")
async def inspector_page(request: Request, w: WebDep, session: SessionDep, calls: CallsDep) -> Response:
    tasks = await calls.maybe("enforcement", "/v1/inspection-tasks", status="open", limit=200)
    # The services' "now" (CLOCK_AT in tests and the demo): the phone dates findings by it, so a
    # phone whose own clock is off does not post a finding "from the future".
    now_ms = int(w.now().timestamp() * 1000)
    return render(request, "inspector.html", session, tasks=tasks, finding_types=FINDING_TYPES, attitudes=ATTITUDES,
                  now_ms=now_ms, is_error=lambda value: isinstance(value, UpstreamError))


@router.post("/inspector/inspections")
async def post_inspection(body: Inspection, _: CsrfDep, calls: CallsDep) -> Response:
    try:
        answer = await calls.post("enforcement", "/v1/inspections",
                                  json=body.model_dump(mode="json", exclude_none=True))
    except UpstreamError as error:
        raise _passed_on(error) from None
    return JSONResponse(answer, status_code=201)


@router.post("/inspector/inspections/{inspection_id}/evidence")
async def post_evidence(inspection_id: str, _: CsrfDep, calls: CallsDep,
                        file: Annotated[UploadFile, File()]) -> Response:
    content = await file.read(PHOTO_MAX_BYTES + 1)
    if len(content) > PHOTO_MAX_BYTES:
        raise Problem(413, Text("照片过大", "Photo too large"), errors=[
            {"field": "file", "in": "body", "message": Text("照片不能超过 10 MB", "at most 10 MB")}])
    try:
        answer = await calls.post("enforcement", f"/v1/inspections/{inspection_id}/evidence",
                                  files={"file": (file.filename or "photo.jpg", content,
                                                  file.content_type or "application/octet-stream")})
    except UpstreamError as error:
        raise _passed_on(error) from None
    return JSONResponse(answer, status_code=201)
