import dataclasses
import hashlib
from datetime import UTC, datetime

import pytest

from enforcement.domain.errors import EvidenceRejected
from enforcement.domain.evidence import Evidence, EvidencePolicy, record_evidence

AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 60
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x02" * 40
PDF = b"%PDF-1.7\n" + b"\x03" * 60


def record(content: bytes, media_type: str = "image/jpeg", *, policy: EvidencePolicy | None = None,
           existing: tuple[Evidence, ...] = (), filename: str = "photo.jpg", evidence_id: str = "e1"):
    return record_evidence(
        policy or EvidencePolicy(), evidence_id=evidence_id, inspection_id="insp-1", filename=filename,
        declared_media_type=media_type, content=content, existing=existing, recorded_at=AT,
        recorded_by="Wang Li",
    )


@pytest.mark.parametrize(
    ("content", "media_type"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"), (PDF, "application/pdf"),
     (JPEG, "image/jpg"), (PDF, "application/pdf; charset=binary")],
)
def test_accepted_files_record_their_sha256_and_size(content: bytes, media_type: str) -> None:
    evidence, created = record(content, media_type)
    assert created
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size_bytes == len(content)
    assert evidence.storage_name.startswith(evidence.sha256)


@pytest.mark.parametrize("media_type", ["image/gif", "application/zip", "text/html"])
def test_other_media_types_are_refused(media_type: str) -> None:
    with pytest.raises(EvidenceRejected) as exc:
        record(JPEG, media_type)
    assert exc.value.reason == "media_type"


def test_a_file_whose_bytes_do_not_match_its_declared_type_is_refused() -> None:
    with pytest.raises(EvidenceRejected) as exc:
        record(b"MZ\x90\x00 not really a photo", "image/jpeg")
    assert exc.value.reason == "content_mismatch"
    with pytest.raises(EvidenceRejected):
        record(b"RIFF\x24\x00\x00\x00WAVEfmt ", "image/webp")


def test_the_size_limit_is_a_setting_and_inclusive() -> None:
    policy = EvidencePolicy(max_bytes=len(JPEG))
    assert record(JPEG, policy=policy)[1]
    with pytest.raises(EvidenceRejected) as exc:
        record(JPEG + b"\x00", policy=policy)
    assert exc.value.reason == "too_large"
    with pytest.raises(EvidenceRejected) as exc:
        record(b"")
    assert exc.value.reason == "empty"


def test_a_deployment_can_narrow_the_accepted_types() -> None:
    policy = EvidencePolicy(allowed_media_types=frozenset({"application/pdf"}))
    with pytest.raises(EvidenceRejected):
        record(JPEG, policy=policy)
    with pytest.raises(ValueError):
        EvidencePolicy(allowed_media_types=frozenset({"image/gif"}))


def test_resending_the_same_bytes_returns_the_first_record() -> None:
    first, _ = record(JPEG, evidence_id="e1", filename="a.jpg")
    again, created = record(JPEG, evidence_id="e2", filename="b.jpg", existing=(first,))
    assert not created and again == first


def test_recorded_evidence_cannot_be_altered() -> None:
    evidence, _ = record(PDF, "application/pdf", filename="plan.pdf")
    with pytest.raises(dataclasses.FrozenInstanceError):
        evidence.sha256 = "0" * 64  # type: ignore[misc]


def test_an_inspection_holds_a_bounded_number_of_files() -> None:
    policy = EvidencePolicy(max_items_per_inspection=1)
    first, _ = record(JPEG, policy=policy)
    with pytest.raises(EvidenceRejected) as exc:
        record(PNG, "image/png", policy=policy, existing=(first,))
    assert exc.value.reason == "too_many"


def test_a_file_name_cannot_climb_out_of_the_evidence_directory() -> None:
    evidence, _ = record(JPEG, filename="../../etc/passwd")
    assert "/" not in evidence.filename
    assert record(JPEG, filename="")[0].filename == "evidence.jpg"
