"""Evidence (photos, documents) attached to an inspection.

Evidence may be used in enforcement and legal proceedings, so once recorded it
never changes: the record is frozen, its SHA-256 is taken from the bytes
received, and re-sending the same bytes is answered with the existing record
rather than a second copy. The accepted media types and the size limit are
settings (EvidencePolicy), not constants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from enforcement.domain.errors import EvidenceRejected

# Leading bytes of each accepted format: a declared type must match the content,
# so a renamed executable is not stored as "photo.jpg".
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
DEFAULT_MEDIA_TYPES = frozenset(_SIGNATURES)


@dataclass(frozen=True)
class EvidencePolicy:
    allowed_media_types: frozenset[str] = DEFAULT_MEDIA_TYPES
    max_bytes: int = 20 * 1024 * 1024
    max_items_per_inspection: int = 50

    def __post_init__(self) -> None:
        unknown = self.allowed_media_types - set(_SIGNATURES)
        if unknown:
            raise ValueError(f"no content check known for media types {sorted(unknown)}")
        if self.max_bytes <= 0 or self.max_items_per_inspection <= 0:
            raise ValueError("evidence limits must be positive")


@dataclass(frozen=True)
class Evidence:
    evidence_id: str
    inspection_id: str
    media_type: str
    size_bytes: int
    sha256: str
    filename: str
    recorded_at: datetime
    recorded_by: str

    @property
    def storage_name(self) -> str:
        """File name in the evidence store: content-addressed, so a stored file is never overwritten."""
        return f"{self.sha256}{_EXTENSIONS[self.media_type]}"


def _normalise_media_type(declared: str) -> str:
    media = declared.split(";", 1)[0].strip().lower()
    return "image/jpeg" if media == "image/jpg" else media


def _matches(media_type: str, content: bytes) -> bool:
    if media_type == "image/webp":
        return content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    return any(content.startswith(sig) for sig in _SIGNATURES[media_type])


def record_evidence(
    policy: EvidencePolicy,
    *,
    evidence_id: str,
    inspection_id: str,
    filename: str,
    declared_media_type: str,
    content: bytes,
    existing: Iterable[Evidence],
    recorded_at: datetime,
    recorded_by: str,
) -> tuple[Evidence, bool]:
    """Check a file against the policy; return (evidence, created).

    created is False when the same bytes were already recorded for this
    inspection (an offline app retrying an upload): the earlier record stands.
    """
    media_type = _normalise_media_type(declared_media_type)
    if media_type not in policy.allowed_media_types:
        allowed = ", ".join(sorted(policy.allowed_media_types))
        raise EvidenceRejected("media_type", f"media type {media_type!r} not accepted; allowed: {allowed}")
    if not content:
        raise EvidenceRejected("empty", "the evidence file is empty")
    if len(content) > policy.max_bytes:
        raise EvidenceRejected("too_large", f"evidence is larger than {policy.max_bytes} bytes")
    if not _matches(media_type, content):
        raise EvidenceRejected("content_mismatch", f"the content is not a {media_type} file")
    digest = hashlib.sha256(content).hexdigest()
    earlier = list(existing)
    for item in earlier:
        if item.sha256 == digest:
            return item, False
    if len(earlier) >= policy.max_items_per_inspection:
        limit = policy.max_items_per_inspection
        raise EvidenceRejected("too_many", f"an inspection holds at most {limit} files")
    safe_name = (filename or "").replace("/", "_").replace("\\", "_").strip()[:200]
    safe_name = safe_name or f"evidence{_EXTENSIONS[media_type]}"
    evidence = Evidence(evidence_id, inspection_id, media_type, len(content), digest, safe_name,
                        recorded_at, recorded_by)
    return evidence, True
