"""`GET /v1/parcels/{id}/grade` answered from memory before the framework's routing.

It is by far the most frequent request, and routing and dependency resolution cost more than
everything else together. This is only a transport in front of the route: the answer is the
route's own (`queries.remembered_grade`, the answer `queries.current_grade` last gave), sent
when the token was verified lately (`remembered_caller`), carries the read scope and is bound to
no enterprise, and the query is plain. Anything else goes on to the route, which answers (and remembers) as always.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from evaluation.entrypoints.http.deps import FIRST_YEAR, LAST_YEAR, READ
from evaluation.entrypoints.http.grades import CURRENT_GRADE
from evaluation.service_layer.queries import remembered_grade
from servicekit.auth import remembered_caller
from servicekit.http import HotRoute
from servicekit.read_cache import ReadCache

_PATH = re.compile(r"^/v1/parcels/([^/]+)/grade$")


class RememberedGrades:
    def __init__(self, app: Any, cache: ReadCache) -> None:
        self.app, self.cache = app, cache
        self.route = HotRoute(CURRENT_GRADE)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        document = self._remembered(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if document is None:
            await self.app(scope, receive, send)
            return
        await self.route.answer(scope, send, 200, document)

    def _remembered(self, scope: dict[str, Any]) -> bytes | None:
        match = _PATH.match(scope["path"])
        if match is None or not self.cache.live:
            return None
        year = _year(scope.get("query_string", b""))
        if year is False or not self._may_read(scope):
            return None
        return remembered_grade(self.cache, match.group(1), year)

    def _may_read(self, scope: dict[str, Any]) -> bool:
        principal = remembered_caller(scope)
        # A token bound to an enterprise reads only its own parcels: the route checks which those are.
        return principal is not None and principal.uscc is None and any(principal.has(s) for s in READ)


def _year(query: bytes) -> int | bool | None:
    """The `year` query value when it is the only, plain one, in range; False for anything else."""
    if not query:
        return None
    values = parse_qs(query.decode("latin-1"), keep_blank_values=True, strict_parsing=False)
    if set(values) != {"year"} or len(values["year"]) != 1 or not values["year"][0].isdigit():
        return False
    year = int(values["year"][0])
    return year if FIRST_YEAR <= year <= LAST_YEAR else False
