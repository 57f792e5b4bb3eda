"""Evidence uploads: SHA-256 recorded, type and size limits, immutable, stored in the configured directory."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from landgrade.testing import token

pytestmark = pytest.mark.infra

RONGHUA = token("findings:write", jurisdiction="荣华街道", subject="ronghua-app")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%rectification plan\n" + b"0" * 500


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
