"""RFC 9457 problem details for every error, with a field-level list for validation errors.

People read them in Chinese first: a `title`, `detail` or `errors[].message` given as
`Text(zh, en)` is answered in Chinese, or in English under `Accept-Language: en`. Machines key on
the problem `type` URI and the field names, which never change with the language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.db import is_transient
from servicekit.logging import get_logger, redact

MEDIA_TYPE = "application/problem+json"

Language = Literal["zh", "en"]


class Text(NamedTuple):
    """A message in Chinese and English; the answer carries the one the reader asked for."""
    zh: str
    en: str

    def __str__(self) -> str:
        return self.zh

    def in_(self, language: Language) -> str:
        return self.en if language == "en" else self.zh


Message = str | Text


def language(accept_language: str | None) -> Language:
    """English when the reader's most preferred language is English; Chinese otherwise (the default)."""
    best, best_q = "zh", 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and q > best_q:
            best, best_q = tag.strip().lower(), q
    return "en" if best.startswith("en") else "zh"


class Problem(Exception):
    def __init__(self, status: int, title: Message, detail: Message | None = None, *,
                 type_: str = "about:blank", errors: list[dict[str, Any]] | None = None,
                 **extra: Any) -> None:
        super().__init__(str(detail or title))
        self.status, self.title, self.detail, self.type, self.errors = status, title, detail, type_, errors
        self.extra = extra

    def body(self, instance: str | None = None, language: Language = "zh") -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = self.errors
        # A caller may put an ID number where an id goes (a USCC, a path): the answer never echoes it.
        redacted: dict[str, Any] = _redacted(body | self.extra, language)
        return redacted


def _redacted(value: Any, language: Language) -> Any:
    if isinstance(value, Text):
        value = value.in_(language)
    if isinstance(value, str):
        # A lone surrogate (a field name or value as a client sent it) cannot be written as UTF-8:
        # it is shown as U+FFFD so that the refusal itself never fails.
        return redact(_LONE_SURROGATE.sub("\ufffd", value))
    if isinstance(value, list):
        return [_redacted(v, language) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, language) for k, v in value.items()}
    return value


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def problem_response(problem: Problem, request: Request | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    chosen = language(request.headers.get("accept-language")) if request is not None else "zh"
    return JSONResponse(problem.body(instance, chosen), status_code=problem.status, media_type=MEDIA_TYPE,
                        headers={"Content-Language": chosen, "Vary": "Accept-Language"} | (headers or {}))


def field_errors(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as `{field, message, type}` with a dotted field path (JSON body prefix dropped)."""
    result = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            where, loc = loc[0], loc[1:]
        else:
            where = "body"
        kind = str(e.get("type", ""))
        english = str(e.get("msg", ""))
        result.append({"field": ".".join(loc) or where, "in": where, "message": _message(kind, english),
                       "type": kind})
    return result


def _message(kind: str, english: str) -> Text:
    """A service's own validator says why in its message ("中文 / English", or one language):
    that reason is kept; pydantic's built-in checks get their Chinese from the table below."""
    if kind == "value_error":
        reason = english.removeprefix("Value error, ")
        zh, sep, en = reason.partition(" / ")
        return Text(zh, en) if sep else Text(f"取值无效：{reason}", reason)
    return Text(_ZH_BY_ERROR_TYPE.get(kind, f"取值无效：{english}"), english)


# pydantic's error types in Chinese; the English message is pydantic's own (it carries the bound).
_ZH_BY_ERROR_TYPE = {
    "missing": "缺少必填字段", "extra_forbidden": "不允许的字段",
    "string_type": "应为文本", "string_too_short": "文本太短", "string_too_long": "文本太长",
    "string_pattern_mismatch": "格式不符合要求", "int_type": "应为整数", "int_parsing": "应为整数",
    "float_type": "应为数字", "float_parsing": "应为数字", "decimal_type": "应为数字",
    "decimal_parsing": "应为数字", "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多", "bool_type": "应为是或否", "bool_parsing": "应为是或否",
    "greater_than": "数值太小", "greater_than_equal": "数值太小", "less_than": "数值太大",
    "less_than_equal": "数值太大", "enum": "不是允许的取值之一", "literal_error": "不是允许的取值之一",
    "date_type": "应为日期", "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）", "datetime_type": "应为时间",
    "datetime_parsing": "应为时间（ISO 8601）", "datetime_from_date_parsing": "应为时间（ISO 8601）",
    "list_type": "应为列表", "too_short": "条目太少", "too_long": "条目太多", "dict_type": "应为对象",
    "model_type": "应为对象", "model_attributes_type": "应为对象", "json_invalid": "不是有效的 JSON",
    "uuid_type": "应为 UUID", "uuid_parsing": "应为 UUID",
    "url_parsing": "应为网址", "url_type": "应为网址", "multiple_of": "数值不符合步长",
}

_ZH_BY_STATUS = {
    400: "请求无效", 401: "未登录或令牌无效", 403: "无权执行此操作", 404: "未找到", 405: "不支持此请求方法",
    406: "无法提供所请求的格式", 409: "与当前状态冲突", 413: "请求内容过大", 415: "不支持的内容类型",
    422: "请求参数有误", 429: "请求过于频繁", 500: "内部错误", 503: "服务暂不可用",
}


def status_title(status: int, english: str) -> Text:
    """A generic title for a status, in both languages."""
    return Text(_ZH_BY_STATUS.get(status, english), english)


RETRY_AFTER_SECONDS = 5


# A service's own exceptions and the problem each one is answered with (`create_app(problems=...)`):
# routes raise domain and service-layer errors as they are, and this table alone turns them into HTTP.
ProblemMap = Mapping[type[Exception], Callable[[Any], Problem]]


def install_problem_handlers(app: FastAPI, mapping: ProblemMap | None = None) -> None:
    log = get_logger("http")

    for kind, to_problem in (mapping or {}).items():
        async def _mapped(request: Request, error: Exception,
                          to_problem: Callable[[Any], Problem] = to_problem) -> JSONResponse:
            return problem_response(to_problem(error), request)

        app.add_exception_handler(kind, _mapped)

    @app.exception_handler(Problem)
    async def _problem(request: Request, problem: Problem) -> JSONResponse:
        return problem_response(problem, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = field_errors(list(error.errors()))
        names = ", ".join(e["field"] for e in errors)
        return problem_response(Problem(422, Text("请求参数有误", "Invalid request"),
                                        Text(f"请检查这些字段：{names}。", f"Check these fields: {names}."),
                                        errors=errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = str(error.detail)
        return problem_response(Problem(error.status_code, status_title(error.status_code, detail)), request,
                                headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        if is_transient(error):  # the database is down or restarting: say when to try again
            log.warning("database_unavailable", path=request.url.path, error=repr(error))
            return problem_response(Problem(503, status_title(503, "Service unavailable"),
                                            Text("暂时无法连接数据库，未做任何更改，请稍后重试。",
                                                 "The database cannot be reached just now; nothing was changed. "
                                                 "Try again shortly.")), request,
                                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        log.error("unhandled_error", path=request.url.path, error=repr(error))
        return problem_response(Problem(500, status_title(500, "Internal error"),
                                        Text("请求未能完成。", "The request could not be completed.")), request)
