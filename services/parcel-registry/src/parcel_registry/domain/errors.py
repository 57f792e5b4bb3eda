"""Validation failures that name the field, so an API or an import report can point at it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


class DomainValidationError(ValueError):
    """One or more fields broke a rule; ``errors`` lists every one of them, not just the first."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in self.errors))

    def prefixed(self, prefix: str) -> DomainValidationError:
        """The same errors with their field names nested under ``prefix`` (e.g. ``leases[2]``)."""
        return DomainValidationError([FieldError(f"{prefix}.{e.field}", e.reason) for e in self.errors])


def raise_if_any(errors: list[FieldError]) -> None:
    if errors:
        raise DomainValidationError(errors)
