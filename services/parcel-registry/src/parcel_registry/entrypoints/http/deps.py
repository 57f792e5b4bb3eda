"""What routes share: the context, path checks, scopes, and the service's problem answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from landgrade_reference.uscc import parse_uscc
from parcel_registry.domain.errors import ActConflict, DomainValidationError, NotFound
from parcel_registry.domain.identities import uscc_reasons
from parcel_registry.domain.reasons_zh import in_chinese
from parcel_registry.domain.values import identifier_problem
from parcel_registry.service_layer.context import Context
from parcel_registry.service_layer.intake import ConflictingFiling, InvalidFilingBody, UnknownParcel, UnparsableBody
from parcel_registry.service_layer.parcels import ImportRefused, ImportTooLarge, TooManyRows, UnreadableFile
from servicekit.http import app_context
from servicekit.problems import Problem, ProblemMap, Text, field_errors, status_title

Ctx = Annotated[Context, Depends(app_context)]

# Each client writes only the facts it owns: land staff the parcels (holders, areas, flags, leases,
# approvals), the business registry the enterprises (persons, shareholders), the tax system filings.
READ_SCOPES = ("registry:read",)
PARCELS_WRITE = "parcels:write"
ENTERPRISES_WRITE = "enterprises:write"
FILINGS_SCOPE = "filings:write"


PROBLEM_TYPES = "https://landgrade.example/problems/"
INVALID_USCC = PROBLEM_TYPES + "invalid-uscc"
IMPORT_TOO_LARGE = PROBLEM_TYPES + "import-too-large"
IMPORT_TOO_MANY_ROWS = PROBLEM_TYPES + "import-too-many-rows"
IMPORT_REFUSED = PROBLEM_TYPES + "import-refused"


def _text(reason: str) -> Text:
    """A reason the domain gives in English, in Chinese first."""
    return Text(in_chinese(reason), reason)


def path_uscc(raw: str, field: str = "uscc", where: str = "path") -> str:
    """A USCC from the URL (a path segment or a query parameter), read by `parse_uscc`."""
    if reasons := uscc_reasons(raw):
        message = _text("; ".join(reasons))
        raise Problem(422, Text("统一社会信用代码无效", "Invalid USCC"), message, type_=INVALID_USCC,
                      errors=[{"field": field, "in": where, "message": message}])
    return parse_uscc(raw)


def path_id(raw: str, field: str, where: str = "path") -> str:
    if problem := identifier_problem(raw):
        message = _text(problem)
        raise Problem(422, Text(f"{field} 无效", f"Invalid {field}"), message,
                      errors=[{"field": field, "in": where, "message": message}])
    return raw


def not_found(error: NotFound) -> Problem:
    """A well-formed key that is not registered: one problem type per kind of record."""
    name = _NAMES.get(error.what, error.what)
    return Problem(404, Text(f"{name}不在台账中", "Not found"), Text(f"{name} {error.key} 不在台账中。", str(error)),
                   type_=f"{PROBLEM_TYPES}unknown-{error.what}")


_NAMES = {"parcel": "地块", "enterprise": "企业", "lease": "租赁", "filing": "申报", "import-job": "导入任务"}


def invalid(error: DomainValidationError) -> Problem:
    """A 422 problem listing every broken rule under the request's own field names (a route
    renames them first where the domain's names differ: `DomainValidationError.renamed`)."""
    errors = [{"field": e.field, "in": "body", "message": _text(e.reason)} for e in error.errors]
    fields = ", ".join(dict.fromkeys(e.field for e in error.errors))
    return Problem(422, Text("请求参数有误", "Invalid request"),
                   Text(f"请检查这些字段：{fields}。", f"Check these fields: {fields}."), errors=errors)


def act_conflict(error: ActConflict) -> Problem:
    """A well-formed act the ledger's current state rules out."""
    errors = [{"field": e.field, "in": "body", "message": _text(e.reason)} for e in error.errors]
    return Problem(409, Text("与台账现状冲突", "Conflicts with the ledger"),
                   Text("台账的当前记录不允许此操作。", "The ledger's current record rules this act out."),
                   type_=PROBLEM_TYPES + "act-conflict", errors=errors)


def unparsable(_: UnparsableBody) -> Problem:
    """The 400 the framework gives a JSON body that is not UTF-8 text."""
    return Problem(400, status_title(400, "There was an error parsing the body"))


def unreadable(error: InvalidFilingBody) -> Problem:
    """The same 422 the framework gives a request body that does not validate."""
    errors = field_errors(error.errors)
    names = ", ".join(e["field"] for e in errors)
    return Problem(422, Text("请求参数有误", "Invalid request"),
                   Text(f"请检查这些字段：{names}。", f"Check these fields: {names}."), errors=errors)


def unknown_parcel(error: UnknownParcel) -> Problem:
    """A well-formed filing naming a parcel the ledger does not hold (yet): an answer about the
    ledger's data, as a 409, not a refusal of the request's shape."""
    message = _text(error.reason)
    return Problem(409, Text("未知地块", "Unknown parcel"), message, type_=f"{PROBLEM_TYPES}unknown-parcel",
                   errors=[{"field": error.field, "in": "body", "message": message}])


def conflicting_filing(error: ConflictingFiling) -> Problem:
    message = _text(error.reason)
    return Problem(409, Text("申报冲突", "Conflicting filing"), message,
                   errors=[{"field": error.field, "in": "body", "message": message}])


def unreadable_file(error: UnreadableFile) -> Problem:
    message = _text(str(error))
    return Problem(422, Text("文件无法读取", "Unreadable file"), message,
                   errors=[{"field": "file", "in": "body", "message": message}])


def import_refused(error: ImportRefused) -> Problem:
    """The first `listed` problems, in sheet order, each where the clerk finds it (sheet, the row
    Excel shows, their own column header), and how many there are in all."""
    total, shown = len(error.errors), error.errors[: error.listed]
    errors = [{"sheet": e.sheet, "row": e.row, "column": e.header or e.column, "field": e.column,
               "message": Text(*e.message)} for e in shown]
    more = f"，列出前 {len(shown)} 个" if len(shown) < total else ""
    more_en = f"; the first {len(shown)} are listed" if len(shown) < total else ""
    return Problem(422, Text("导入被拒绝", "Import refused"),
                   Text(f"共发现 {total} 个问题{more}，未导入任何数据。",
                        f"{total} problem(s) found{more_en}; nothing was imported."),
                   type_=IMPORT_REFUSED, errors=errors, problems_total=total)


def import_too_large(error: ImportTooLarge) -> Problem:
    what = "文件" if error.what == "file" else "XLSX 解压后"
    message = Text(f"{what}超过 {error.limit} 字节的上限 (import_max_bytes)。",
                   f"The {error.what} exceeds the limit of {error.limit} bytes (import_max_bytes).")
    return Problem(413, Text("导入文件过大", "Import file too large"), message, type_=IMPORT_TOO_LARGE,
                   errors=[{"field": "file", "in": "body", "message": message}], limit_bytes=error.limit)


def too_many_rows(error: TooManyRows) -> Problem:
    message = Text(f"表格超过 {error.limit} 行数据的上限 (import_max_rows)，未导入任何数据；请拆分后分批导入。",
                   f"The sheet has more than {error.limit} data rows (import_max_rows); nothing was imported: "
                   "split it and import the parts.")
    return Problem(422, Text("导入行数过多", "Too many rows"), message, type_=IMPORT_TOO_MANY_ROWS,
                   errors=[{"field": "file", "in": "body", "message": message}], limit_rows=error.limit)


PROBLEMS: ProblemMap = {
    NotFound: not_found,
    DomainValidationError: invalid,
    ActConflict: act_conflict,
    InvalidFilingBody: unreadable,
    UnparsableBody: unparsable,
    UnknownParcel: unknown_parcel,
    ConflictingFiling: conflicting_filing,
    UnreadableFile: unreadable_file,
    ImportRefused: import_refused,
    ImportTooLarge: import_too_large,
    TooManyRows: too_many_rows,
}
