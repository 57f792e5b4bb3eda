"""Validation failures that name the field, so an API or an import report can point at it."""

from __future__ import annotations

from collections.abc import Mapping
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
        return type(self)([FieldError(f"{prefix}.{e.field}", e.reason) for e in self.errors])

    def renamed(self, renames: Mapping[str, str]) -> DomainValidationError:
        """The same errors under the names a request gives these fields (``share_pct`` is a
        request's ``share``), the first segment of each path and any nested one alike."""

        def segment(part: str) -> str:
            base, bracket, rest = part.partition("[")
            return renames.get(base, base) + bracket + rest

        return type(self)(
            [FieldError(".".join(segment(p) for p in e.field.split(".")), e.reason) for e in self.errors]
        )


class ActConflict(DomainValidationError):
    """An act the ledger's current state rules out (the holder it names already holds the right; a
    lease's tenant is the parcel's holder; a registered parcel's reasoned fact changed without a
    reason): the request is well formed, the ledger disagrees (409, not 422)."""


def raise_if_any(errors: list[FieldError]) -> None:
    if errors:
        raise DomainValidationError(errors)


class NotFound(LookupError):
    def __init__(self, what: str, key: str) -> None:
        self.what, self.key = what, key
        super().__init__(f"{what} {key} is not in the ledger")
