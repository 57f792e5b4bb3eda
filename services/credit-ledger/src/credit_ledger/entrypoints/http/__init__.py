"""HTTP routes of credit-ledger, and the problem each service-layer refusal is answered with."""

from fastapi import APIRouter

from credit_ledger.domain.repairs import RepairRefused
from credit_ledger.domain.subjects import InvalidIdentifier, NotYourEnterprise, UnknownEnterprise
from credit_ledger.entrypoints.http import benefits, credit, ledger, public, repairs
from credit_ledger.entrypoints.http.deps import UNKNOWN_ENTERPRISE
from credit_ledger.service_layer.queries import PersonFileRefused
from credit_ledger.service_layer.repairs import RepairNotFound
from servicekit.problems import Problem, ProblemMap


def routers() -> list[APIRouter]:
    return [ledger.router, credit.router, repairs.router, benefits.router, public.router]


def _refused(error: RepairRefused) -> Problem:
    # An application already decided conflicts with the decision asked for; any other refusal names a field.
    status = 409 if error.field == "status" else 422
    return Problem(status, "Repair refused", str(error),
                   errors=[{"field": error.field, "in": "body", "message": str(error)}])


def _invalid(error: InvalidIdentifier) -> Problem:
    message = "; ".join(error.reasons)
    return Problem(422, "统一社会信用代码无效 (invalid USCC)", str(error),
                   errors=[{"field": error.field, "in": error.where, "message": message}])


def _unknown(error: UnknownEnterprise) -> Problem:
    # Never an empty answer: a client must not read "nothing known" as "nothing against it".
    return Problem(404, "未知企业 (unknown enterprise)",
                   f"信用账本中没有该企业的任何记录，不能视为无限制 (the ledger holds nothing about {error.uscc}; "
                   "this is not a clearance).", type_=UNKNOWN_ENTERPRISE)


def _not_yours(error: NotYourEnterprise) -> Problem:
    return Problem(403, "无权访问其他企业 (not your enterprise)",
                   "此令牌绑定于一家企业，只能查询或办理本企业的事项 (this token acts for its own enterprise only).")


PROBLEMS: ProblemMap = {
    RepairNotFound: lambda e: Problem(404, "Unknown repair", f"No application {e}."),
    RepairRefused: _refused,
    PersonFileRefused: lambda e: Problem(403, "Admin only",
                                         "A responsible person's credit file can only be read with admin."),
    InvalidIdentifier: _invalid,
    UnknownEnterprise: _unknown,
    NotYourEnterprise: _not_yours,
}
