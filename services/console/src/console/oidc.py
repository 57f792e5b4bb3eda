"""OpenID Connect sign-in: authorization code with PKCE (S256) against a configured issuer.

The state, nonce and code verifier travel in a short-lived signed cookie between the redirect and
the callback; the ID token is verified with the issuer's keys (its audience is this client, its
nonce the one sent). The person's role, street and enterprise come from the ID token's claims.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from console.session import _sign
from console.settings import Settings

FLOW_COOKIE = "landgrade_oidc"
FLOW_SECONDS = 600


class OidcError(Exception):
    pass


@dataclass(frozen=True)
class Flow:
    state: str
    nonce: str
    verifier: str
    started: float


@dataclass(frozen=True)
class Identity:
    subject: str
    name: str
    role: str
    jurisdiction: str | None
    uscc: str | None
    access_token: str


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def new_flow() -> Flow:
    return Flow(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48), time.time())


def flow_cookie(flow: Flow, secret: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(flow.__dict__).encode()).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload.encode())}"


def read_flow(cookie: str | None, secret: str) -> Flow | None:
    if not cookie or "." not in cookie:
        return None
    payload, signature = cookie.rsplit(".", 1)
    if not secrets.compare_digest(signature, _sign(secret, payload.encode())):
        return None
    flow = Flow(**json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    return flow if time.time() - flow.started < FLOW_SECONDS else None


async def discovery(settings: Settings, client: httpx.AsyncClient) -> dict[str, Any]:
    issuer = (settings.oidc_issuer or "").rstrip("/")
    response = await client.get(f"{issuer}/.well-known/openid-configuration")
    if response.status_code != 200:
        raise OidcError(f"discovery answered {response.status_code}")
    document: dict[str, Any] = response.json()
    return document


def authorization_url(settings: Settings, config: dict[str, Any], flow: Flow) -> str:
    query = {"response_type": "code", "client_id": settings.oidc_client_id, "redirect_uri": settings.oidc_redirect_uri,
             "scope": settings.oidc_scopes, "state": flow.state, "nonce": flow.nonce,
             "code_challenge": challenge(flow.verifier), "code_challenge_method": "S256"}
    return f"{config['authorization_endpoint']}?{urlencode(query)}"


async def complete(settings: Settings, client: httpx.AsyncClient, flow: Flow, code: str, state: str) -> Identity:
    if not secrets.compare_digest(state, flow.state):
        raise OidcError("state does not match")
    config = await discovery(settings, client)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": settings.oidc_redirect_uri,
            "client_id": settings.oidc_client_id, "code_verifier": flow.verifier}
    if settings.oidc_client_secret:
        form["client_secret"] = settings.oidc_client_secret
    response = await client.post(config["token_endpoint"], data=form)
    if response.status_code != 200:
        raise OidcError(f"token endpoint answered {response.status_code}")
    tokens = response.json()
    keys = (await client.get(config["jwks_uri"])).json()
    claims = verify_id_token(tokens.get("id_token", ""), keys, settings, flow.nonce, config.get("issuer"))
    role = claims.get(settings.oidc_role_claim)
    from console.accounts import PERSON_ROLES
    if role not in PERSON_ROLES:
        raise OidcError(f"the ID token's {settings.oidc_role_claim} claim names no role of the console")
    return Identity(str(claims["sub"]), str(claims.get("name") or claims["sub"]), str(role),
                    claims.get(settings.oidc_jurisdiction_claim), claims.get(settings.oidc_uscc_claim),
                    str(tokens["access_token"]))


def verify_id_token(token: str, jwks: dict[str, Any], settings: Settings, nonce: str,
                    issuer: str | None) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
        key = next(jwt.PyJWK(k).key for k in jwks.get("keys", []) if k.get("kid") == header.get("kid"))
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256", "ES256"], audience=settings.oidc_client_id,
                                            issuer=issuer or settings.oidc_issuer)
    except (StopIteration, jwt.PyJWTError) as error:
        raise OidcError(f"ID token refused: {error}") from None
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("nonce does not match")
    return claims
