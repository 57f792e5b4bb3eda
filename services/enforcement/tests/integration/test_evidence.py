"""Evidence uploads: SHA-256 recorded, type and size limits, immutable, stored in the configured directory."""

from __future__ import annotations

import hashlib
import struct
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from landgrade.testing import token

pytestmark = pytest.mark.infra

RONGHUA = token("findings:write", jurisdiction="荣华街道", subject="ronghua-app")
# A well-formed JPEG: SOI, APP0, SOF0 (1x1), SOS, entropy-coded data (a stuffed 0xFF00 in it), EOI.
JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
        + bytes(range(255)) * 4 + b"\xff\x00\xff\xd9")
PDF = b"%PDF-1.7\n%rectification plan\n" + b"0" * 500 + b"\n%%EOF\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 16 + struct.pack("<H", 7) + b"\x00\x00evil.sh"


async def _inspection(enforcement) -> str:
    parcel = await enforcement.parcel()
    inspection_id = f"insp-{uuid.uuid4().hex[:12]}"
    body = {"inspection_id": inspection_id, "parcel_id": parcel, "inspector": "Wang Li",
            "inspected_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "findings": [{"type": "illegal_construction", "note": "steel shed on the green belt"}]}
    response = await enforcement.client.post("/v1/inspections", json=body, headers=RONGHUA)
    assert response.status_code == 201, response.text
    return inspection_id


def _upload(content: bytes, media_type: str, name: str = "site.jpg") -> dict:
    return {"file": (name, content, media_type)}


async def test_evidence_is_hashed_stored_listed_and_served_unchanged(enforcement) -> None:
    inspection_id = await _inspection(enforcement)
    url = f"/v1/inspections/{inspection_id}/evidence"
    photo = await enforcement.client.post(url, files=_upload(JPEG, "image/jpeg"), headers=RONGHUA)
    plan = await enforcement.client.post(url, files=_upload(PDF, "application/pdf", "plan.pdf"), headers=RONGHUA)
    assert (photo.status_code, plan.status_code) == (201, 201), photo.text
    assert photo.json()["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert photo.json()["size_bytes"] == len(JPEG)

    stored = enforcement.settings.evidence_dir / photo.json()["sha256"][:2]
    assert [p.read_bytes() for p in stored.iterdir()] == [JPEG]

    again = await enforcement.client.post(url, files=_upload(JPEG, "image/jpeg", "retry.jpg"), headers=RONGHUA)
    assert again.status_code == 200 and again.json()["evidence_id"] == photo.json()["evidence_id"]

    listed = (await enforcement.client.get(f"/v1/inspections/{inspection_id}", headers=RONGHUA)).json()["evidence"]
    assert sorted(e["sha256"] for e in listed) == sorted([hashlib.sha256(JPEG).hexdigest(),
                                                          hashlib.sha256(PDF).hexdigest()])
    download = await enforcement.client.get(photo.json()["href"], headers=token("cases:read"))
    assert download.status_code == 200 and download.content == JPEG
    assert download.headers["content-type"] == "image/jpeg"


async def test_wrong_type_oversize_and_disguised_files_are_refused(enforcement) -> None:
    inspection_id = await _inspection(enforcement)
    url = f"/v1/inspections/{inspection_id}/evidence"
    gif = await enforcement.client.post(url, files=_upload(b"GIF89a" + b"0" * 50, "image/gif", "a.gif"),
                                        headers=RONGHUA)
    assert gif.status_code == 415
    limit = enforcement.settings.evidence_max_bytes
    huge = await enforcement.client.post(url, files=_upload(b"\xff\xd8\xff" + b"0" * limit, "image/jpeg"),
                                         headers=RONGHUA)
    assert huge.status_code == 413
    disguised = await enforcement.client.post(url, files=_upload(b"MZ\x90\x00" + b"0" * 100, "image/jpeg"),
                                              headers=RONGHUA)
    assert disguised.status_code == 422 and disguised.json()["reason"] == "content_mismatch"
    other_street = await enforcement.client.post(url, files=_upload(JPEG, "image/jpeg"),
                                                 headers=token("findings:write", jurisdiction="博兴街道"))
    assert other_street.status_code == 403
    missing = await enforcement.client.post("/v1/inspections/nope/evidence", files=_upload(JPEG, "image/jpeg"),
                                            headers=RONGHUA)
    assert missing.status_code == 404

    inspection = (await enforcement.client.get(f"/v1/inspections/{inspection_id}", headers=RONGHUA)).json()
    assert inspection["evidence"] == []
    assert not enforcement.settings.evidence_dir.exists() or not any(enforcement.settings.evidence_dir.rglob("*.*"))


async def test_polyglot_truncated_and_active_files_are_refused_naming_the_file_field(enforcement) -> None:
    inspection_id = await _inspection(enforcement)
    url = f"/v1/inspections/{inspection_id}/evidence"
    javascript = PDF.replace(b"%rectification plan", b"1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (x) >> >>")
    for content, media_type, reason in [(JPEG + ZIP, "image/jpeg", "trailing_data"),
                                        (JPEG[:-2], "image/jpeg", "malformed"),
                                        (javascript, "application/pdf", "active_content"),
                                        (PDF[:-7], "application/pdf", "malformed"),
                                        (JPEG, "image/png", "content_mismatch")]:
        response = await enforcement.client.post(url, files=_upload(content, media_type), headers=RONGHUA)
        assert response.status_code == 422, (reason, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["reason"] == reason and [e["field"] for e in problem["errors"]] == ["file"]
        in_english = await enforcement.client.post(url, files=_upload(content, media_type),
                                                   headers=RONGHUA | {"Accept-Language": "en"})
        chinese, english = problem["errors"][0]["message"], in_english.json()["errors"][0]["message"]
        assert not chinese.isascii() and english.isascii()
        assert not problem["title"].isascii() and in_english.json()["title"] == "Evidence refused"
    inspection = (await enforcement.client.get(f"/v1/inspections/{inspection_id}", headers=RONGHUA)).json()
    assert inspection["evidence"] == []


async def test_evidence_is_always_served_as_a_sandboxed_attachment(enforcement) -> None:
    inspection_id = await _inspection(enforcement)
    url = f"/v1/inspections/{inspection_id}/evidence"
    photo = await enforcement.client.post(url, files=_upload(JPEG, "image/jpeg", "现场照片 1.jpg"), headers=RONGHUA)
    plan = await enforcement.client.post(url, files=_upload(PDF, "application/pdf", 'plan"; x=1.html'),
                                         headers=RONGHUA)
    assert (photo.status_code, plan.status_code) == (201, 201), photo.text

    served = await enforcement.client.get(photo.json()["href"], headers=RONGHUA)
    assert served.status_code == 200 and served.content == JPEG
    assert served.headers["content-disposition"] == (
        f"attachment; filename=\"____ 1.jpg\"; filename*=UTF-8''{quote('现场照片 1.jpg', safe='')}")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"

    served = await enforcement.client.get(plan.json()["href"], headers=token("cases:read"))
    disposition, fallback, encoded = served.headers["content-disposition"].split('"')
    assert disposition == "attachment; filename=" and fallback.startswith("plan") and fallback.endswith(".html.pdf")
    assert encoded.startswith("; filename*=UTF-8''plan%") and encoded.endswith(".html.pdf")  # the quote is escaped
