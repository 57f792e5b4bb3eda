"""HTTP routes of credit-ledger, and the problem each service-layer refusal is answered with."""

from fastapi import APIRouter

from credit_ledger.domain.repairs import RepairRefused
from credit_ledger.entrypoints.http import benefits, credit, ledger, public, repairs
from credit_ledger.service_layer.queries import PersonFileRefused
from credit_ledger.service_layer.repairs import RepairNotFound
from servicekit.problems import Problem, ProblemMap


def routers() -> list[APIRouter]:
    return [ledger.router, credit.router, repairs.router, benefits.router, public.router]


def _refused(error: RepairRefused) -> Problem:
    # An application already decided conflicts with the decision asked for; any other refusal names a field.
    status = 409 if error.field == "status" else 422
    return Problem(status, "Repair refused", str(error), errors=[{"field": error.field, "message": str(error)}])


PROBLEMS: ProblemMap = {
    RepairNotFound: lambda e: Problem(404, "Unknown repair", f"No application {e}."),
    RepairRefused: _refused,
    PersonFileRefused: lambda e: Problem(403, "Admin only",
                                         "A responsible person's credit file can only be read with admin."),
}
