"""`/v1/inspections`: street-office and town inspection apps post what they found, with evidence."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, File, Request, Response, UploadFile

from enforcement.domain.evidence import Evidence, download_name
from enforcement.domain.inspections import Finding, InspectionRecord, finding_id, new_inspection
from enforcement.domain.pending import PendingInspection
from enforcement.entrypoints.http.deps import Ctx, InspectionId, InspectionReader, InspectionWriter, IssuedId
from enforcement.entrypoints.http.schemas import EvidenceOut, FindingOut, InspectionIn, InspectionOut
from enforcement.service_layer.errors import InspectionPending
from enforcement.service_layer.inspections import EvidenceUpload, add_evidence, record_inspection
from enforcement.service_layer.queries import evidence_content, inspection_or_pending
from servicekit.problems import Problem, Text, problem_response

# The `type` of the 503 answered for evidence sent to an inspection still waiting for its parcel.
INSPECTION_PENDING = "https://landgrade.example/problems/inspection-pending"
PENDING_RETRY_SECONDS = 5

RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Parcel outside the token's jurisdiction"},
    404: {"description": "No such inspection"},
    409: {"description": "Same inspection_id, different content"},
    422: {"description": "Invalid inspection (field-level errors)"}}

router = APIRouter(prefix="/v1/inspections", tags=["inspections"])


@router.post("", status_code=201, response_model=InspectionOut, responses={
    200: {"description": "Already recorded with the same content (a retry): nothing changed"},
    202: {"description": "The registry has not reported the parcel yet: the inspection is kept (`status: "
                         "pending`) and recorded when it does; nothing to re-send (a re-send meanwhile is 202 "
                         "again, a no-op)"}, **RESPONSES})
async def post_inspection(body: InspectionIn, response: Response, ctx: Ctx,
                          caller: InspectionWriter) -> InspectionOut:
    """Record an inspection of a parcel in the caller's street/town. Re-sending the same
    `inspection_id` with the same content is a no-op (200); with other content it is 409. A parcel
    registered a moment ago may not have reached this service yet: the inspection is then accepted
    as pending (202) and recorded when the parcel arrives (or refused then, outside the caller's area)."""
    inspection = new_inspection(
        inspection_id=body.inspection_id, parcel_id=body.parcel_id, inspected_at=body.inspected_at,
        inspector=body.inspector, now=ctx.clock(),
        findings=[Finding(f.type, f.holder_attitude, f.tenant_uscc, f.note) for f in body.findings])
    record, created = await record_inspection(ctx.uow(), inspection, caller)
    # 202 as long as the inspection waits for its parcel (a re-send too): 200/201 mean recorded.
    response.status_code = 202 if isinstance(record, PendingInspection) else 201 if created else 200
    response.headers["Location"] = f"/v1/inspections/{inspection.inspection_id}"
    return inspection_out(record)


@router.get("/{inspection_id}", response_model=InspectionOut, responses=RESPONSES)
async def read_inspection(inspection_id: InspectionId, ctx: Ctx, caller: InspectionReader) -> InspectionOut:
    return inspection_out(await inspection_or_pending(ctx.uow(), inspection_id, caller))


@router.post("/{inspection_id}/evidence", status_code=201, response_model=EvidenceOut, responses={
    200: {"description": "These bytes were already recorded for this inspection"},
    413: {"description": "File too large"}, 415: {"description": "Media type not accepted"},
    503: {"description": "The inspection is pending (its parcel not reported yet): send the file again after "
                         "`Retry-After` seconds", "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
    **RESPONSES})
async def upload_evidence(request: Request, inspection_id: InspectionId, response: Response, ctx: Ctx,
                          caller: InspectionWriter,
                          file: UploadFile = File(description="A photo (JPEG, PNG, WebP) or a PDF.")) -> object:
    """Attach a photo or document. It is stored with its SHA-256 and can never be changed."""
    content = await file.read(ctx.evidence_policy.max_bytes + 1)  # one byte more reveals an oversize file
    upload = EvidenceUpload(inspection_id, file.filename or "", file.content_type or "", content)
    try:
        item, created = await add_evidence(ctx.uow(), upload, caller, store=ctx.evidence_store,
                                           policy=ctx.evidence_policy)
    except InspectionPending:
        return problem_response(Problem(
            503, Text("检查记录待地块登记", "Inspection pending"),
            Text(f"检查记录 {inspection_id} 正在等待土地台账报送该地块，请 {PENDING_RETRY_SECONDS} 秒后重新上传。",
                 f"Inspection {inspection_id} waits for the land ledger to report its parcel; send the file "
                 f"again in {PENDING_RETRY_SECONDS} s."),
            type_=INSPECTION_PENDING), request, headers={"Retry-After": str(PENDING_RETRY_SECONDS)})
    response.status_code = 201 if created else 200
    return evidence_out(item)


@router.get("/{inspection_id}/evidence/{evidence_id}", response_class=Response, responses={
    200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "application/pdf": {}}},
    **RESPONSES})
async def download_evidence(inspection_id: InspectionId, evidence_id: IssuedId, ctx: Ctx,
                            caller: InspectionReader) -> Response:
    """The recorded file, always as a download: a browser never renders it in the service's origin."""
    item, content = await evidence_content(ctx.uow(), ctx.evidence_store, inspection_id, evidence_id, caller)
    return Response(content, media_type=item.media_type, headers={
        "ETag": f'"{item.sha256}"', "Digest": f"sha-256={item.sha256}",
        "Content-Disposition": attachment(download_name(item.filename, item.media_type)),
        **EVIDENCE_HEADERS})


# Served evidence runs nothing and loads nothing, even when opened from the service's origin. (It is
# never sniffed into another type either: servicekit stamps `X-Content-Type-Options: nosniff` and,
# for a signed-in caller, `Cache-Control: no-store` on every answer.)
EVIDENCE_HEADERS = {"Content-Security-Policy": "default-src 'none'; sandbox"}
_TOKEN_SAFE = frozenset("!#$&+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ()[]{},;:@=")


def attachment(name: str) -> str:
    """`Content-Disposition: attachment` with a plain-ASCII `filename` (anything else replaced by _)
    and, when the name is not plain ASCII, its UTF-8 spelling as RFC 5987 `filename*`."""
    fallback = "".join(ch if ch in _TOKEN_SAFE else "_" for ch in name)
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def inspection_out(record: InspectionRecord | PendingInspection) -> InspectionOut:
    i = record.inspection
    findings = [FindingOut(finding_id=finding_id(i.inspection_id, n), type=f.type, note=f.note,
                           holder_attitude=f.holder_attitude, tenant_uscc=f.tenant_uscc)
                for n, f in enumerate(i.findings, start=1)]
    if isinstance(record, PendingInspection):
        return InspectionOut(
            inspection_id=i.inspection_id, status=record.status.value, parcel_id=i.parcel_id, street=None,
            inspected_at=i.inspected_at, inspector=i.inspector, submitted_by=record.submitted_by,
            recorded_at=record.received_at, findings=findings, evidence=[], refusal=record.refusal)
    return InspectionOut(
        inspection_id=i.inspection_id, parcel_id=i.parcel_id, street=record.street, inspected_at=i.inspected_at,
        inspector=i.inspector, submitted_by=record.submitted_by, recorded_at=record.recorded_at,
        findings=findings, evidence=[evidence_out(e) for e in record.evidence])


def evidence_out(item: Evidence) -> EvidenceOut:
    return EvidenceOut(
        evidence_id=item.evidence_id, media_type=item.media_type, size_bytes=item.size_bytes, sha256=item.sha256,
        filename=item.filename, recorded_at=item.recorded_at, recorded_by=item.recorded_by,
        href=f"/v1/inspections/{item.inspection_id}/evidence/{item.evidence_id}")
