"""`POST /v1/revenue-filings` answered before the framework's routing, for callers already known.

It is the tax system's most frequent call, and routing, dependency resolution and the generic
request/response machinery cost more CPU than the rest of the request. This is transport only:
when the caller's token was verified lately and carries `filings:write` and the body is sent as
JSON, the body goes to the same intake handler as the route's (`intake.receive_filing`), and the
answer is built by the same functions: the filing's answer (`filing_answer`) or the problem the
application maps the refusal to (`PROBLEMS`), with the status and body the route would give.
Everything else — a token to verify or refuse, another media type, a query string — goes on to
the route untouched.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from parcel_registry.entrypoints.http.deps import FILINGS_SCOPE, PROBLEMS
from parcel_registry.entrypoints.http.revenue_filings import PATH
from parcel_registry.entrypoints.http.schemas_responses import filing_answer
from parcel_registry.service_layer.context import Context
from parcel_registry.service_layer.intake import read_filing, receive_filing
from servicekit.auth import remembered_caller
from servicekit.clock import current_year
from servicekit.http import HotRoute
from servicekit.problems import Problem, problem_response

_JSON = (b"application/json", b"application/json; charset=utf-8")
_REFUSALS = tuple(PROBLEMS)


class FilingFastPath:
    def __init__(self, app: Any, context: Context) -> None:
        self.app, self.context = app, context
        self.route = HotRoute(PATH)
        self.taken = 0  # requests answered here, not by the route (for diagnosis and tests)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not self._plain_post(scope):
            await self.app(scope, receive, send)
            return
        principal = remembered_caller(scope)
        if principal is None or not principal.has(FILINGS_SCOPE):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if not complete:  # the client went away: nobody to answer, nothing taken in
            return
        try:
            result = await receive_filing(self.context.filings, read_filing(body), principal.subject,
                                          current_year(self.context.clock))
        except _REFUSALS as refused:
            await self._refuse(scope, receive, send, _problem(refused))
            return
        except Problem as problem:
            await self._refuse(scope, receive, send, problem)
            return
        status, document = filing_answer(result)
        self.taken += 1
        await self.route.answer(scope, send, status, document)

    async def _refuse(self, scope: dict[str, Any], receive: Any, send: Any, problem: Problem) -> None:
        """The problem answer the application's handlers give the route's refusals."""
        self.taken += 1
        scope["route"] = self.route
        await problem_response(problem, Request(scope))(scope, receive, send)

    @staticmethod
    def _plain_post(scope: dict[str, Any]) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH or scope.get("query_string"):
            return False
        for name, value in scope.get("headers") or []:
            if name == b"content-type":
                return value.lower() in _JSON
        return False


def _problem(error: Exception) -> Problem:
    for kind in type(error).__mro__:
        if kind in PROBLEMS:
            return PROBLEMS[kind](error)
    raise error  # not one of the refusals (cannot happen: caught by their types)


async def _read_body(receive: Any) -> tuple[bytes, bool]:
    """The whole body (the body guard outside has already bounded its size), and False if the
    client went away before sending all of it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True
