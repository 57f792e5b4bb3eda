"""Evidence (photos, documents) attached to an inspection.

Evidence may be used in enforcement and legal proceedings, so once recorded it
never changes: the record is frozen, its SHA-256 is taken from the bytes
received, and re-sending the same bytes is answered with the existing record
rather than a second copy. The accepted media types and the size limit are
settings (EvidencePolicy), not constants. What the bytes of each type must be is
file_checks'; a file is only ever handed back as a download under a name whose
extension matches its recorded type.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from enforcement.domain.errors import EvidenceRejected
from enforcement.domain.file_checks import CHECKED_MEDIA_TYPES, check_content

_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
_ALSO_ACCEPTED = {"image/jpeg": (".jpeg",)}
DEFAULT_MEDIA_TYPES = CHECKED_MEDIA_TYPES
MAX_FILENAME_CHARS = 200
# Control, format (bidi overrides such as U+202E), surrogate, private-use and unassigned characters:
# none belongs in a file name shown to staff or written to a header.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


@dataclass(frozen=True)
class EvidencePolicy:
    allowed_media_types: frozenset[str] = DEFAULT_MEDIA_TYPES
    max_bytes: int = 20 * 1024 * 1024
    max_items_per_inspection: int = 50

    def __post_init__(self) -> None:
        unknown = self.allowed_media_types - CHECKED_MEDIA_TYPES
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


def safe_filename(filename: str, media_type: str) -> str:
    """The client's file name as recorded: no path separators, nothing unprintable, bounded."""
    kept = "".join("_" if ch in "/\\" else ch for ch in filename or ""
                   if unicodedata.category(ch) not in _UNPRINTABLE)
    return kept.strip().lstrip(".").strip()[:MAX_FILENAME_CHARS] or f"evidence{_EXTENSIONS[media_type]}"


def download_name(filename: str, media_type: str) -> str:
    """The name a file is downloaded under: its recorded name, with the extension of its recorded
    type added unless it has it already (a valid PNG saved as "x.html" would open as a page)."""
    name = safe_filename(filename, media_type)
    extension = _EXTENSIONS[media_type]
    if name.lower().endswith((extension, *_ALSO_ACCEPTED.get(media_type, ()))):
        return name
    return name + extension


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
        raise EvidenceRejected("media_type", f"media type {media_type!r} not accepted; allowed: {allowed}",
                               f"不接受媒体类型 {media_type!r}，可接受：{allowed}")
    if not content:
        raise EvidenceRejected("empty", "the evidence file is empty", "证据文件为空")
    if len(content) > policy.max_bytes:
        raise EvidenceRejected("too_large", f"evidence is larger than {policy.max_bytes} bytes",
                               f"证据文件超过 {policy.max_bytes} 字节")
    check_content(media_type, content)
    digest = hashlib.sha256(content).hexdigest()
    earlier = list(existing)
    for item in earlier:
        if item.sha256 == digest:
            return item, False
    if len(earlier) >= policy.max_items_per_inspection:
        limit = policy.max_items_per_inspection
        raise EvidenceRejected("too_many", f"an inspection holds at most {limit} files", f"一次检查最多 {limit} 个文件")
    evidence = Evidence(evidence_id, inspection_id, media_type, len(content), digest,
                        safe_filename(filename, media_type),
                        recorded_at, recorded_by)
    return evidence, True
