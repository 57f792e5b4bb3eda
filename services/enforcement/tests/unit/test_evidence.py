import dataclasses
import hashlib
import struct
import zlib
from datetime import UTC, datetime

import pytest

from enforcement.domain.errors import EvidenceRejected
from enforcement.domain.evidence import Evidence, EvidencePolicy, download_name, record_evidence

AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# The smallest well-formed files of each type (file_checks refuses anything less).
JPEG = (b"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
        b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\x34\xff\xd9")
PNG = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
       + _png_chunk(b"IDAT", zlib.compress(b"\x00\x7f")) + _png_chunk(b"IEND", b""))
WEBP = b"RIFF\x12\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\x00\x00\x00\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


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


@pytest.mark.parametrize(("content", "media_type", "reason"), [
    (JPEG + b"PK\x03\x04" + b"\x00" * 26, "image/jpeg", "trailing_data"),
    (PNG + b"<html><script>alert(1)</script>", "image/png", "trailing_data"),
    (JPEG[:-2], "image/jpeg", "malformed"),
    (PNG[:-4], "image/png", "malformed"),
    (PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /J#61vaScript /JS (x) >>"), "application/pdf",
     "active_content"),
])
def test_polyglot_truncated_and_active_files_are_refused_before_anything_is_recorded(
        content: bytes, media_type: str, reason: str) -> None:
    with pytest.raises(EvidenceRejected) as exc:
        record(content, media_type)
    assert exc.value.reason == reason


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


def test_a_file_name_keeps_nothing_unprintable() -> None:
    name = record(JPEG, filename="site\u202egpj.exe\r\nX-Evil: 1\x00\ud800.jpg")[0].filename
    assert name == "sitegpj.exeX-Evil: 1.jpg"
    assert record(JPEG, filename="现场照片.jpg")[0].filename == "现场照片.jpg"


@pytest.mark.parametrize(("name", "media_type", "expected"), [
    ("site.jpg", "image/jpeg", "site.jpg"), ("site.JPEG", "image/jpeg", "site.JPEG"),
    ("page.html", "image/png", "page.html.png"), ("plan", "application/pdf", "plan.pdf"),
    ("", "image/webp", "evidence.webp"), ("现场照片", "image/jpeg", "现场照片.jpg"),
])
def test_a_download_name_always_ends_in_the_extension_of_the_recorded_type(
        name: str, media_type: str, expected: str) -> None:
    assert download_name(name, media_type) == expected
