"""Sign-in (local accounts in development, OpenID Connect in production), sign-out, language."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from console import oidc
from console import session as sessions
from console.i18n import LANG_COOKIE
from console.web import HOME, SIGNIN_CSRF_COOKIE, CsrfDep, MaybeSessionDep, Web, WebDep, redirect, render
from servicekit.problems import Problem, Text

router = APIRouter()


def _set_session(response: Response, w: Web, session: sessions.Session) -> None:
    response.set_cookie(sessions.COOKIE, sessions.encode(session, w.settings.session_secret),
                        max_age=w.settings.session_seconds, httponly=True, secure=w.settings.secure_cookies,
                        samesite="lax", path="/")


def _signin_page(request: Request, w: Web, failed: bool = False, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "signin.html", None, status_code=status, signin_csrf=token, failed=failed,
                      local=w.settings.local_accounts and w.settings.allows_development_secrets,
                      oidc=w.settings.oidc_enabled)
    response.set_cookie(SIGNIN_CSRF_COOKIE, token, max_age=1800, httponly=True, secure=w.settings.secure_cookies,
                        samesite="strict", path="/signin")
    return response


@router.get("/signin")
async def signin_page(request: Request, w: WebDep) -> Response:
    return _signin_page(request, w)


@router.post("/signin")
async def signin(request: Request, w: WebDep, username: Annotated[str, Form(max_length=100)],
                 password: Annotated[str, Form(max_length=200)],
                 csrf: Annotated[str, Form(max_length=100)]) -> Response:
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(expected, csrf):
        raise Problem(403, Text("表单已失效", "Form expired"), Text("请刷新登录页后重试。", "Reload the sign-in page."),
                      type_="https://landgrade.example/problems/csrf")
    if not (w.settings.local_accounts and w.settings.allows_development_secrets):
        raise Problem(404, Text("未启用本地账号", "Local accounts are off"),
                      type_="https://landgrade.example/problems/local-accounts-off")
    account = w.accounts.authenticate(username, password)
    if account is None:
        return _signin_page(request, w, failed=True, status=401)
    session = sessions.new_session(account.name, account.name, account.role, w.now(), w.settings.session_seconds,
                                   jurisdiction=account.jurisdiction, uscc=account.uscc)
    response = redirect(HOME.get(account.role, "/map"))
    _set_session(response, w, session)
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(_: CsrfDep) -> Response:
    response = redirect("/signin")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get("/")
async def home(session: MaybeSessionDep) -> Response:
    if session is None:
        return redirect("/signin")
    return redirect(HOME.get(session.role, "/map"))


@router.get("/lang/{code}")
async def switch_language(code: str, request: Request, w: WebDep) -> Response:
    back = request.query_params.get("next") or "/"
    response = redirect(back if back.startswith("/") and not back.startswith("//") else "/")
    response.set_cookie(LANG_COOKIE, "en" if code == "en" else "zh", max_age=365 * 86400, samesite="lax",
                        secure=w.settings.secure_cookies, path="/")
    return response


@router.get("/oidc/login")
async def oidc_login(w: WebDep) -> Response:
    if not w.settings.oidc_enabled:
        raise Problem(404, Text("未配置统一身份认证", "OpenID Connect is not configured"),
                      type_="https://landgrade.example/problems/oidc-off")
    flow = oidc.new_flow()
    config = await oidc.discovery(w.settings, w.upstream.client)
    response = redirect(oidc.authorization_url(w.settings, config, flow))
    response.set_cookie(oidc.FLOW_COOKIE, oidc.flow_cookie(flow, w.settings.session_secret), max_age=oidc.FLOW_SECONDS,
                        httponly=True, secure=w.settings.secure_cookies, samesite="lax", path="/oidc")
    return response


@router.get("/oidc/callback")
async def oidc_callback(request: Request, w: WebDep, code: str = "", state: str = "") -> Response:
    flow = oidc.read_flow(request.cookies.get(oidc.FLOW_COOKIE), w.settings.session_secret)
    if flow is None or not code:
        raise Problem(400, Text("登录流程已失效", "Sign-in expired"), Text("请重新登录。", "Sign in again."),
                      type_="https://landgrade.example/problems/oidc-flow")
    try:
        who = await oidc.complete(w.settings, w.upstream.client, flow, code, state)
    except oidc.OidcError as error:
        raise Problem(401, Text("统一身份认证失败", "Sign-in refused"), str(error),
                      type_="https://landgrade.example/problems/oidc-refused") from None
    session = sessions.new_session(who.subject, who.name, who.role, w.now(), w.settings.session_seconds,
                                   jurisdiction=who.jurisdiction, uscc=who.uscc, access_token=who.access_token)
    response = redirect(HOME.get(who.role, "/map"))
    _set_session(response, w, session)
    response.delete_cookie(oidc.FLOW_COOKIE, path="/oidc")
    return response
