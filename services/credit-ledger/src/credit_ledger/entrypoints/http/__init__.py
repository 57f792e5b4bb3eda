"""HTTP routes of credit-ledger, and the problem each service-layer refusal is answered with."""

from fastapi import APIRouter

from credit_ledger.domain.repairs import RepairRefused
from credit_ledger.domain.subjects import InvalidIdentifier, NotYourEnterprise, UnknownEnterprise, UnknownSubject
from credit_ledger.entrypoints.http import benefits, credit, ledger, notices, public, repairs
from credit_ledger.entrypoints.http.deps import (
    INVALID_USCC,
    REPAIR_REFUSED,
    UNKNOWN_ENTERPRISE,
    UNKNOWN_RECORD,
    UNKNOWN_REPAIR,
    UNKNOWN_SUBJECT,
)
from credit_ledger.service_layer.queries import PersonFileRefused
from credit_ledger.service_layer.repairs import RecordNotFound, RepairNotFound
from servicekit.problems import Problem, ProblemMap, Text


def routers() -> list[APIRouter]:
    return [ledger.router, credit.router, repairs.router, benefits.router, public.router, notices.router]


def _refused(error: RepairRefused) -> Problem:
    # An application already decided conflicts with the decision asked for; any other refusal names a field.
    status = 409 if error.field == "status" else 422
    why = Text(error.zh, str(error))
    return Problem(status, Text("信用修复申请被拒绝", "Repair refused"), why, type_=REPAIR_REFUSED,
                   errors=[{"field": error.field, "in": "body", "message": why}])


def _invalid(error: InvalidIdentifier) -> Problem:
    reasons = "; ".join(error.reasons)
    return Problem(422, Text("统一社会信用代码无效", "Invalid USCC"),
                   Text(f"{error.field} 不是有效的统一社会信用代码：{reasons}",
                        f"{error.field} is not a valid USCC: {reasons}"),
                   type_=INVALID_USCC,
                   errors=[{"field": error.field, "in": error.where,
                            "message": Text(f"不是有效的统一社会信用代码：{reasons}", f"not a valid USCC: {reasons}")}])


def _unknown(error: UnknownEnterprise) -> Problem:
    # Never an empty answer: a client must not read "nothing known" as "nothing against it".
    return Problem(404, Text("未知企业", "Unknown enterprise"),
                   Text(f"信用账本中没有企业 {error.uscc} 的任何记录，这不表示该企业不受限制。",
                        f"The ledger holds nothing about {error.uscc}; this is not a clearance."),
                   type_=UNKNOWN_ENTERPRISE)


def _unknown_subject(error: UnknownSubject) -> Problem:
    # A person token is never malformed by being unknown; and never an answer that reads as clear.
    return Problem(404, Text("未知主体", "Unknown subject"),
                   Text(f"信用账本中没有责任人 {error.ref} 的任何记录，这不表示其不受限制。",
                        f"The ledger holds nothing about the person {error.ref}; this is not a clearance."),
                   type_=UNKNOWN_SUBJECT)


def _unknown_record(error: RecordNotFound) -> Problem:
    return Problem(404, Text("未知信用记录", "Unknown record"),
                   Text(f"信用记录 {error} 不存在。", f"Record {error} does not exist."), type_=UNKNOWN_RECORD)


def _not_yours(error: NotYourEnterprise) -> Problem:
    return Problem(403, Text("无权访问其他企业", "Not your enterprise"),
                   Text("此令牌绑定于一家企业，只能查询或办理本企业的事项。",
                        "This token acts for its own enterprise only."))


def _unknown_repair(error: RepairNotFound) -> Problem:
    return Problem(404, Text("未知的信用修复申请", "Unknown repair"),
                   Text(f"没有编号为 {error} 的信用修复申请。", f"No application {error}."), type_=UNKNOWN_REPAIR)


def _person_file(error: PersonFileRefused) -> Problem:
    return Problem(403, Text("仅限管理员", "Admin only"),
                   Text("责任人的信用档案只有管理员可以查阅。",
                        "A responsible person's credit file can only be read with admin."))


PROBLEMS: ProblemMap = {
    RepairNotFound: _unknown_repair,
    RepairRefused: _refused,
    PersonFileRefused: _person_file,
    InvalidIdentifier: _invalid,
    UnknownEnterprise: _unknown,
    UnknownSubject: _unknown_subject,
    RecordNotFound: _unknown_record,
    NotYourEnterprise: _not_yours,
}
