"""Sign-in, the session cookie, CSRF and the security headers, with the console in-process (no
service is called by any of these)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from console import session as sessions
from console.accounts import AccountError, AccountStore, checked, demo_accounts
from console.bootstrap import build_app
from console.settings import DEV_SESSION_SECRET, Settings
from landgrade.testing import serving
from servicekit.clock import BEIJING

PASSWORD = "correct horse"


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    accounts = tmp_path / "accounts.json"
    store = AccountStore(accounts)
    store.put(checked("clerk", "land-staff", PASSWORD))
    store.put(checked("ronghua", "street-office", PASSWORD, jurisdiction="荣华"))
    settings = Settings(environment="test", accounts_file=accounts, registry_url="http://127.0.0.1:9",
                        evaluation_url="http://127.0.0.1:9", credit_url="http://127.0.0.1:9",
                        enforcement_url="http://127.0.0.1:9", clock_at=datetime(2026, 3, 2, 10))
    async with serving(build_app(settings)) as client:
        yield client


async def sign_in(client: httpx.AsyncClient, user: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/signin")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    return await client.post("/signin", data={"username": user, "password": password, "csrf": token.group(1)})


async def test_the_right_password_signs_in_with_an_httponly_lax_cookie_and_lands_on_the_roles_page(
        console: httpx.AsyncClient) -> None:
    answer = await sign_in(console, "clerk")
    assert answer.status_code == 303 and answer.headers["location"] == "/map"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(sessions.COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # development: plain HTTP
    street = await sign_in(console, "ronghua")
    assert street.headers["location"] == "/inspector"


async def test_a_wrong_password_or_unknown_name_is_refused_alike(console: httpx.AsyncClient) -> None:
    wrong = await sign_in(console, "clerk", "nope")
    unknown = await sign_in(console, "nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.text and sessions.COOKIE not in wrong.headers.get("set-cookie", "")


async def test_sign_in_without_the_forms_token_is_refused(console: httpx.AsyncClient) -> None:
    answer = await console.post("/signin", data={"username": "clerk", "password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 403
    assert answer.json()["type"] == "https://landgrade.example/problems/csrf"


async def test_pages_need_a_session_and_sign_out_needs_the_csrf_token(console: httpx.AsyncClient) -> None:
    assert (await console.get("/map", headers={"accept": "text/html"})).headers["location"] == "/signin"
    assert (await console.get("/map/parcels.geojson")).status_code == 401
    await sign_in(console, "clerk")
    refused = await console.post("/signout", data={"csrf": "forged"})
    assert refused.status_code == 403
    page = await console.get("/map")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    out = await console.post("/signout", data={"csrf": csrf.group(1)})
    assert out.status_code == 303
    assert (await console.get("/map", headers={"accept": "text/html"})).headers["location"] == "/signin"


async def test_a_bad_filter_is_a_422_naming_the_field_in_chinese_then_english(console: httpx.AsyncClient) -> None:
    await sign_in(console, "clerk")
    zh = await console.get("/map/parcels.geojson", params={"street": "火星街道", "grade": "E"})
    assert zh.status_code == 422 and zh.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in zh.json()["errors"]} == {"street", "grade"}
    assert zh.json()["errors"][0]["message"] == "不是亦庄的街道或镇"
    en = await console.get("/map/parcels.geojson", params={"grade": "E"}, headers={"accept-language": "en"})
    assert en.json()["errors"][0]["message"] == "must be A, B, C or D"


async def test_every_page_carries_a_strict_csp_and_signed_in_pages_are_not_cached(console: httpx.AsyncClient) -> None:
    page = await console.get("/signin")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline for the CSP to refuse
    await sign_in(console, "clerk")
    assert (await console.get("/map")).headers["cache-control"] == "no-store"


def test_a_tampered_or_expired_session_cookie_is_no_session() -> None:
    now = datetime(2026, 3, 2, 10, tzinfo=BEIJING)
    made = sessions.new_session("clerk", "clerk", "land-staff", now, 3600)
    cookie = sessions.encode(made, DEV_SESSION_SECRET)
    assert sessions.decode(cookie, DEV_SESSION_SECRET, now) == made
    payload, signature = cookie.rsplit(".", 1)
    admin = sessions.encode(sessions.Session(**{**made.__dict__, "role": "admin"}), "guessed secret")
    assert sessions.decode(admin.rsplit(".", 1)[0] + "." + signature, DEV_SESSION_SECRET, now) is None
    assert sessions.decode(cookie, DEV_SESSION_SECRET, now + timedelta(seconds=3601)) is None
    assert sessions.decode(cookie, "another secret", now) is None


def test_accounts_are_bound_to_a_street_or_an_enterprise_exactly_when_their_role_is() -> None:
    with pytest.raises(AccountError):
        checked("x", "street-office", PASSWORD)
    with pytest.raises(AccountError):
        checked("x", "land-staff", PASSWORD, jurisdiction="荣华街道")
    with pytest.raises(AccountError):
        checked("x", "enterprise-portal", PASSWORD)
    with pytest.raises(AccountError):
        checked("x", "no-such-role", PASSWORD)
    assert checked("x", "street-office", PASSWORD, jurisdiction="Ronghua Street").jurisdiction == "荣华街道"
    roles = {a.role for a in demo_accounts(PASSWORD, "91110302MA01A2B3C3")}
    assert roles == {"admin", "land-staff", "enforcement-staff", "street-office", "enterprise-portal"}


def test_production_refuses_the_development_session_secret() -> None:
    with pytest.raises(ValueError, match="SESSION_SECRET"):
        Settings(environment="prod", jwt_secret="a real one")
    assert Settings(environment="prod", jwt_secret="a real one", session_secret="another").secure_cookies
