"""Domain errors. The HTTP layer maps each family to one status code."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every rule violation raised by the domain layer."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; `field` is a dotted/indexed path. `message` is English,
    `zh` the same in Chinese (people read Chinese first; the answer picks one)."""

    field: str
    message: str
    zh: str | None = None


class InvalidInput(DomainError):
    """Input breaks a validation rule (HTTP 422). Carries every field problem found."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


class OutsideJurisdiction(DomainError):
    """A street office or town tried to act on a parcel outside its area (HTTP 403)."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        self.zh = zh or message
        super().__init__(message)


class EvidenceRejected(DomainError):
    """An evidence file breaks the evidence policy: media type, size, content (HTTP 413/415/422)."""

    def __init__(self, reason: str, message: str, zh: str | None = None) -> None:
        self.reason = reason  # "media_type" | "too_large" | "empty" | "content_mismatch" | "too_many"
        self.zh = zh or message  # `message` in Chinese
        super().__init__(message)


class IllegalTransition(DomainError):
    """A case was asked to move along an edge its state machine does not have (HTTP 409)."""

    def __init__(self, kind: str, from_state: str, to_state: str) -> None:
        self.kind, self.from_state, self.to_state = kind, from_state, to_state
        super().__init__(f"a {kind} case cannot go from {from_state!r} to {to_state!r}")


class EvidenceAltered(DomainError):
    """Stored evidence bytes no longer hash to the SHA-256 recorded for them (never served)."""
