"""The four services, called server-side with the signed-in person's own authority.

Development: a short-lived token minted with exactly the role's scopes and the person's street
or enterprise (never more). Production: the person's OpenID Connect access token, forwarded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from console.session import Session
from console.settings import Settings
from landgrade.roles import ROLES
from servicekit.auth import mint_token

# A minted token lives long enough for one page's calls, and no longer.
TOKEN_SECONDS = 300


class UpstreamError(Exception):
    """A service refused or failed; `status` is its HTTP status (0: unreachable)."""

    def __init__(self, service: str, status: int, body: Any) -> None:
        super().__init__(f"{service}: {status}")
        self.service, self.status, self.body = service, status, body

    @property
    def title(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("title") or self.body.get("detail") or self.status)
        return str(self.status)

    @property
    def detail(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("detail") or "")
        return ""


def bearer(session: Session, settings: Settings) -> str:
    if session.access_token:
        return session.access_token
    return mint_token(settings.jwt_secret, f"console:{session.subject}", ROLES.get(session.role, []),
                      jurisdiction=session.jurisdiction, uscc=session.uscc, ttl_seconds=TOKEN_SECONDS,
                      issuer=settings.jwt_issuer, audience=settings.jwt_audience)


@dataclass
class Upstream:
    """One HTTP client for the process; `as_(session, language)` gives the calls of one person."""
    settings: Settings
    client: httpx.AsyncClient

    def base(self, service: str) -> str:
        s = self.settings
        return {"registry": s.registry_url, "evaluation": s.evaluation_url, "credit": s.credit_url,
                "enforcement": s.enforcement_url}[service]

    def as_(self, session: Session | None, language: str = "zh") -> Calls:
        headers = {"Accept-Language": language}
        if session is not None:
            headers["Authorization"] = f"Bearer {bearer(session, self.settings)}"
        return Calls(self, headers)


@dataclass
class Calls:
    upstream: Upstream
    headers: dict[str, str]

    async def request(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        url = self.upstream.base(service) + path
        headers = self.headers | kwargs.pop("headers", {})
        try:
            response = await self.upstream.client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise UpstreamError(service, 0, {"title": str(error) or type(error).__name__}) from None
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise UpstreamError(service, response.status_code, body)
        return body

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return await self.request("GET", service, path, params={k: v for k, v in params.items() if v is not None})

    async def post(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.request("POST", service, path, **kwargs)

    async def maybe(self, service: str, path: str, **params: Any) -> Any | UpstreamError:
        """The answer, or the refusal itself: a page shows what this person may see and says
        which part was refused rather than failing whole."""
        try:
            return await self.get(service, path, **params)
        except UpstreamError as error:
            return error

    async def pages(self, service: str, path: str, cursor: str, next_key: str, limit: int,
                    **params: Any) -> list[dict[str, Any]]:
        """Every item of a cursor-paginated list."""
        items: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            page = await self.get(service, path, limit=limit, **{cursor: after}, **params)
            items.extend(page.get("items") or [])
            after = page.get(next_key)
            if not after or not page.get("items"):
                return items

    async def gather(self, *calls: Any) -> list[Any]:
        return list(await asyncio.gather(*calls))
