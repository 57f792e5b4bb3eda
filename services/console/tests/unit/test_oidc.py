"""OpenID Connect sign-in against an issuer played by this test (authorization code + PKCE): the
redirect carries an S256 challenge, the callback's code is exchanged with the verifier, the ID
token is checked (signature, audience, nonce), and the session holds the person's role and
forwards their access token."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from console import session as sessions
from console.bootstrap import build_app
from console.settings import Settings
from console.upstream import bearer
from landgrade.testing import serving
from servicekit.clock import BEIJING

ISSUER = "https://id.example.test/realms/etown"
CLIENT = "landgrade-console"
REDIRECT = "https://console.example.test/oidc/callback"


class Issuer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, Any]] = {}
        self.claims: dict[str, Any] = {"sub": "u-1", "name": "王芳", "landgrade_role": "street-office",
                                       "jurisdiction": "荣华街道"}

    def authorize(self, url: str) -> str:
        query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        code = f"code-{len(self.codes)}"
        self.codes[code] = query
        return code

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth",
                                             "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/certs"})
        if request.url.path.endswith("/certs"):
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return httpx.Response(200, json={"keys": [public | {"kid": "k1", "use": "sig"}]})
        if request.url.path.endswith("/token"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            sent = self.codes.pop(form["code"], None)
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if sent is None or digest != sent["code_challenge"] or form["redirect_uri"] != REDIRECT:
                return httpx.Response(400, json={"error": "invalid_grant"})
            now = int(time.time())
            id_token = jwt.encode(self.claims | {"iss": ISSUER, "aud": CLIENT, "iat": now, "exp": now + 300,
                                                 "nonce": sent["nonce"]}, self.key, algorithm="RS256",
                                  headers={"kid": "k1"})
            return httpx.Response(200, json={"access_token": "the-person's-access-token", "id_token": id_token,
                                             "token_type": "Bearer"})
        return httpx.Response(404)


@pytest.fixture
async def issuer_and_console(tmp_path: Path) -> AsyncIterator[tuple[Issuer, httpx.AsyncClient]]:
    issuer = Issuer()
    settings = Settings(environment="test", accounts_file=tmp_path / "none.json", oidc_issuer=ISSUER,
                        oidc_client_id=CLIENT, oidc_redirect_uri=REDIRECT, clock_at=datetime(2026, 3, 2, 10))
    app = build_app(settings)
    async with serving(app) as client:
        app.state.web.upstream.client = httpx.AsyncClient(transport=httpx.MockTransport(issuer.handle))
        yield issuer, client


async def test_the_code_flow_with_pkce_signs_the_person_in_with_their_role_and_token(
        issuer_and_console: tuple[Issuer, httpx.AsyncClient]) -> None:
    issuer, console = issuer_and_console
    assert "/oidc/login" in (await console.get("/signin")).text
    start = await console.get("/oidc/login")
    assert start.status_code == 303
    query = parse_qs(urlparse(start.headers["location"]).query)
    assert start.headers["location"].startswith(f"{ISSUER}/auth?")
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [CLIENT]
    code = issuer.authorize(start.headers["location"])
    back = await console.get("/oidc/callback", params={"code": code, "state": query["state"][0]})
    assert back.status_code == 303 and back.headers["location"] == "/inspector"
    cookie = console.cookies.get(sessions.COOKIE)
    made = sessions.decode(cookie, Settings(environment="test").session_secret, datetime(2026, 3, 2, 10, tzinfo=BEIJING))
    assert made is not None and made.role == "street-office" and made.jurisdiction == "荣华街道"
    assert bearer(made, Settings(environment="test")) == "the-person's-access-token"  # forwarded, not minted


async def test_a_callback_with_another_state_or_a_role_the_console_does_not_know_is_refused(
        issuer_and_console: tuple[Issuer, httpx.AsyncClient]) -> None:
    issuer, console = issuer_and_console
    start = await console.get("/oidc/login")
    code = issuer.authorize(start.headers["location"])
    forged = await console.get("/oidc/callback", params={"code": code, "state": "not-the-state"})
    assert forged.status_code == 401 and sessions.COOKIE not in console.cookies
    issuer.claims["landgrade_role"] = "tax-system"
    start = await console.get("/oidc/login")
    code = issuer.authorize(start.headers["location"])
    state = parse_qs(urlparse(start.headers["location"]).query)["state"][0]
    refused = await console.get("/oidc/callback", params={"code": code, "state": state})
    assert refused.status_code == 401 and sessions.COOKIE not in console.cookies
