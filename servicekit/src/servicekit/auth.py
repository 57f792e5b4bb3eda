"""JWT bearer tokens with scopes and an optional `jurisdiction` claim.

HS256 with a configured secret for local use; RS256 with a JWKS endpoint in production. The
`admin` scope satisfies every requirement. Public endpoints simply do not depend on `require`.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servicekit.problems import Problem
from servicekit.settings import ServiceSettings

ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling. `jurisdiction` binds a street office's token to its street or town, `uscc`
    an enterprise's token to the enterprise: APIs answer such a caller for its own only."""

    subject: str
    scopes: frozenset[str]
    jurisdiction: str | None = None
    uscc: str | None = None

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.scopes

    def has(self, scope: str) -> bool:
        return scope in self.scopes or self.is_admin


class TokenVerifier:
    """Verifies bearer tokens. A token verified once is remembered for `REMEMBER_SECONDS` (and never
    past its own expiry): callers send the same token with every request, and a signature check
    costs more CPU than many of the requests themselves. The short window bounds how long a
    signing key withdrawn from the JWKS keeps working for a known token."""

    REMEMBER_SECONDS = 60.0
    REMEMBER_AT_MOST = 4096

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self._verified: OrderedDict[str, tuple[Principal, float, float]] = OrderedDict()

    @property
    def uses_jwks(self) -> bool:
        return self._jwks is not None

    def remembered(self, token: str) -> Principal | None:
        """The principal of a token verified lately; None when it must be verified (again)."""
        found = self._verified.get(token)
        if found is None:
            return None
        principal, expires_at, forget_at = found
        now = time.time()
        if now >= expires_at:
            raise Problem(401, "Token expired", "The bearer token has expired.")
        if time.monotonic() >= forget_at:
            del self._verified[token]
            return None
        return principal

    def verify(self, token: str) -> Principal:
        principal = self.remembered(token)
        if principal is not None:
            return principal
        principal, expires_at = self._verify(token)
        self._verified[token] = (principal, expires_at, time.monotonic() + self.REMEMBER_SECONDS)
        while len(self._verified) > self.REMEMBER_AT_MOST:
            self._verified.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        s = self.settings
        try:
            key: Any = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else s.jwt_secret
            claims = jwt.decode(token, key, algorithms=[s.jwt_algorithm], audience=s.jwt_audience,
                                issuer=s.jwt_issuer, options={"require": list(REQUIRED_CLAIMS)})
        except jwt.ExpiredSignatureError:
            raise Problem(401, "Token expired", "The bearer token has expired.") from None
        except jwt.PyJWTError as error:
            raise Problem(401, "Invalid token", f"The bearer token was refused: {error}.") from None
        lifetime = float(claims["exp"]) - float(claims["iat"])
        if lifetime > s.jwt_max_lifetime_seconds:
            raise Problem(401, "Invalid token", f"The bearer token is valid for {lifetime:.0f} s; this service "
                          f"accepts tokens valid for at most {s.jwt_max_lifetime_seconds} s.")
        return Principal(
            subject=_text_claim(claims, "sub") or "",
            scopes=_scopes(claims.get("scope", "")),
            jurisdiction=_text_claim(claims, "jurisdiction"),
            uscc=_text_claim(claims, "uscc"),
        ), float(claims["exp"])


# A token missing any of these is refused: without `iat` its lifetime cannot be bounded, without
# `iss` and `aud` a token minted for another system could be replayed here.
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub")


def _scopes(raw: object) -> frozenset[str]:
    """`scope` as RFC 8693 writes it (one space-separated string) or a list of strings; anything
    else is refused rather than guessed at."""
    if isinstance(raw, str):
        return frozenset(raw.split())
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return frozenset(raw)
    raise Problem(401, "Invalid token", "The token's scope must be a space-separated string or a list of strings.")


def _text_claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise Problem(401, "Invalid token", f"The token's {name} claim must be non-empty text.")
    return value


def mint_token(secret: str, subject: str, scopes: list[str], *, jurisdiction: str | None = None,
               uscc: str | None = None,
               ttl_seconds: int = 3600, issuer: str = "landgrade", audience: str = "landgrade",
               algorithm: str = "HS256") -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": subject, "scope": " ".join(scopes), "iat": now,
                              "exp": now + ttl_seconds, "iss": issuer, "aud": audience}
    if jurisdiction:
        claims["jurisdiction"] = jurisdiction
    if uscc:
        claims["uscc"] = uscc
    return jwt.encode(claims, secret, algorithm=algorithm)


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Authentication required", "Send a bearer token in the Authorization header.")
    verifier: TokenVerifier = request.app.state.token_verifier
    remembered = verifier.remembered(credentials.credentials)
    if remembered is not None:
        return remembered
    if verifier.uses_jwks:  # fetching signing keys is network I/O: keep it off the event loop
        return await asyncio.to_thread(verifier.verify, credentials.credentials)
    return verifier.verify(credentials.credentials)


def remembered_caller(scope: dict[str, Any]) -> Principal | None:
    """For answers served before routing (`create_app(hot_paths=...)`): the caller when the request
    bears a token verified lately and still valid; None for anything else (no or odd Authorization
    header, a token to verify, an expired one), which the route then deals with as always."""
    verifier: TokenVerifier = scope["app"].state.token_verifier  # the application's own
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token:
                return None
            try:
                return verifier.remembered(token)
            except Problem:  # expired: the route says so
                return None
    return None


def require(*scopes: str) -> Any:
    """Dependency: the caller must hold at least one of `scopes` (or `admin`). One level over the
    bearer scheme (which documents the security in OpenAPI): each level of dependencies costs
    every request a noticeable share of its time."""

    async def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        principal = await current_principal(request, credentials)
        if not any(principal.has(s) for s in scopes):
            raise Problem(403, "Insufficient scope", f"This operation needs one of the scopes: {', '.join(scopes)}.")
        return principal

    return Depends(dependency)


def require_jurisdiction(principal: Principal, jurisdiction: str) -> None:
    """A token bound to a jurisdiction may act only inside it; admin tokens act everywhere."""
    if principal.is_admin:
        return
    if principal.jurisdiction is None:
        raise Problem(403, "No jurisdiction", "This token is not bound to a jurisdiction.")
    if principal.jurisdiction != jurisdiction:
        raise Problem(403, "Outside your jurisdiction",
                      f"This token acts for {principal.jurisdiction}; the target belongs to {jurisdiction}.")
