"""What routes share: the context, path checks, scopes, and the service's problem answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from landgrade_reference.uscc import InvalidUscc, parse_uscc
from parcel_registry.domain.errors import DomainValidationError, NotFound
from parcel_registry.domain.values import identifier_problem
from parcel_registry.service_layer.context import Context
from parcel_registry.service_layer.intake import ConflictingFiling, InvalidFilingBody, UnknownParcel
from parcel_registry.service_layer.parcels import ImportRefused, UnreadableFile
from servicekit.http import app_context
from servicekit.problems import Problem, ProblemMap, field_errors

Ctx = Annotated[Context, Depends(app_context)]

# Each client writes only the facts it owns: land staff the parcels (holders, areas, flags, leases,
# approvals), the business registry the enterprises (persons, shareholders), the tax system filings.
READ_SCOPES = ("registry:read",)
PARCELS_WRITE = "parcels:write"
ENTERPRISES_WRITE = "enterprises:write"
FILINGS_SCOPE = "filings:write"


def path_uscc(raw: str, field: str = "uscc") -> str:
    try:
        return parse_uscc(raw)
    except InvalidUscc as bad:
        raise Problem(
            422, "Invalid USCC", str(bad), errors=[{"field": field, "in": "path", "message": str(bad)}]
        ) from None


def path_id(raw: str, field: str) -> str:
    if problem := identifier_problem(raw):
        raise Problem(422, f"Invalid {field}", problem, errors=[{"field": field, "in": "path", "message": problem}])
    return raw


def invalid(error: DomainValidationError) -> Problem:
    """A 422 problem listing every broken rule under the request's own field names (a route
    renames them first where the domain's names differ: `DomainValidationError.renamed`)."""
    errors = [{"field": e.field, "in": "body", "message": e.reason} for e in error.errors]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return Problem(422, "Invalid request", f"Check these fields: {fields}.", errors=errors)


def unreadable(error: InvalidFilingBody) -> Problem:
    """The same 422 the framework gives a request body that does not validate."""
    errors = field_errors(error.errors)
    names = ", ".join(e["field"] for e in errors)
    return Problem(422, "Invalid request", f"Check these fields: {names}.", errors=errors)


def unknown_parcel(error: UnknownParcel) -> Problem:
    return Problem(422, "Unknown parcel", error.reason,
                   errors=[{"field": error.field, "in": "body", "message": error.reason}])


def conflicting_filing(error: ConflictingFiling) -> Problem:
    return Problem(409, "Conflicting filing", error.reason,
                   errors=[{"field": error.field, "in": "body", "message": error.reason}])


def unreadable_file(error: UnreadableFile) -> Problem:
    return Problem(422, "Unreadable file", str(error), errors=[{"field": "file", "in": "body", "message": str(error)}])


def import_refused(error: ImportRefused) -> Problem:
    errors = [{"row": e.row, "column": e.column, "field": e.column, "message": e.reason} for e in error.errors]
    return Problem(422, "Import refused", str(error), errors=errors)


PROBLEMS: ProblemMap = {
    NotFound: lambda e: Problem(404, "Not found", str(e)),
    DomainValidationError: invalid,
    InvalidFilingBody: unreadable,
    UnknownParcel: unknown_parcel,
    ConflictingFiling: conflicting_filing,
    UnreadableFile: unreadable_file,
    ImportRefused: import_refused,
}
