"""`POST /v1/revenue-filings` taken in before the framework's routing when nothing about it is unusual.

It is the tax system's most frequent call, and routing, dependency resolution and the generic
request/response machinery cost more CPU than the rest of the request (parsing, checking, and the
shared chunk write of `FilingCoalescer`). When the caller's token was verified lately and carries
`filings:write`, the body is plain JSON and it is a valid filing, the filing goes to the coalescer
from here and the answer — accepted, revised or already on record — is the route's own
(`filing_answer`). Everything else goes on to the route with the body as it came: a token to verify
or refuse, another media type, a body the route must explain with a problem (422), and a filing
the ledger rejects (unknown parcel, conflicting revision). A rejected filing wrote nothing, so the
route deciding it again is the same as the caller retrying.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.domain.filings import RevenueFiling
from parcel_registry.entrypoints.filing_answer import filing_answer
from parcel_registry.entrypoints.requests import FilingIn
from parcel_registry.service_layer.coalescing import FilingCoalescer
from servicekit.auth import remembered_caller
from servicekit.http import HotRoute

PATH = "/v1/revenue-filings"  # the route in filing_routes.py this answers for
SCOPE = "filings:write"
_JSON = (b"application/json", b"application/json; charset=utf-8")


class FilingIntake:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.route = HotRoute(PATH)
        self.taken = 0  # filings answered here, not by the route (for diagnosis and tests)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not self._plain_post(scope):
            await self.app(scope, receive, send)
            return
        principal = remembered_caller(scope)
        if principal is None or not principal.has(SCOPE):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        filing = _filing(body) if complete else None
        if filing is None:
            await self.app(scope, _replay(body, receive, complete), send)
            return
        coalescer: FilingCoalescer = scope["app"].state.filing_coalescer
        result = await coalescer.submit(filing, principal.subject)
        answer = filing_answer(result, filing)
        if answer is None:  # rejected: nothing was written; the route decides again and explains
            await self.app(scope, _replay(body, receive, complete), send)
            return
        status, document = answer
        self.taken += 1
        await self.route.answer(scope, send, status, document)

    @staticmethod
    def _plain_post(scope: dict[str, Any]) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH or scope.get("query_string"):
            return False
        for name, value in scope.get("headers") or []:
            if name == b"content-type":
                return value.lower() in _JSON
        return False


def _filing(body: bytes) -> RevenueFiling | None:
    """The filing when the body is one valid filing, read exactly as the route reads it (JSON
    parsed first, then the model validated in Python mode, then the domain's own rules)."""
    try:
        document = orjson.loads(body)
        if not isinstance(document, dict):
            return None
        return FilingIn.model_validate(document).to_domain()
    except (orjson.JSONDecodeError, ValidationError, DomainValidationError):
        return None


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


def _replay(body: bytes, receive: Any, complete: bool) -> Any:
    """A receive channel for the route that gives the body again (or the disconnect) first."""
    pending = [{"type": "http.request", "body": body, "more_body": False} if complete else {"type": "http.disconnect"}]

    async def replayed() -> dict[str, Any]:
        return pending.pop() if pending else await receive()

    return replayed
