"""What every page shares: the person signed in, the language, the CSRF check, the templates and
the security headers (a strict Content-Security-Policy: scripts and styles from the console
itself only, nothing inline)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from console import session as sessions
from console.accounts import AccountStore
from console.i18n import LANG_COOKIE, WORDS, chosen_language, t
from console.session import Session
from console.settings import Settings
from console.upstream import Calls, Upstream
from servicekit.problems import Language, Problem, Text

HERE = Path(__file__).parent
CSRF_HEADER = "x-csrf-token"
SIGNIN_CSRF_COOKIE = "landgrade_signin_csrf"

# Which pages each person role reaches from the navigation (the services decide what they answer).
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    "admin": [("overview", "/overview"), ("map", "/map"), ("lists", "/lists"), ("publication", "/publication"),
              ("cases", "/cases"), ("whatif", "/whatif"), ("public", "/public")],
    "land-staff": [("overview", "/overview"), ("map", "/map"), ("lists", "/lists"), ("publication", "/publication"),
                   ("cases", "/cases"), ("whatif", "/whatif"), ("public", "/public")],
    "enforcement-staff": [("cases", "/cases"), ("map", "/map"), ("public", "/public")],
    "street-office": [("inspector", "/inspector"), ("notices", "/notices"), ("public", "/public")],
    "enterprise-portal": [("enterprise", "/enterprise"), ("notices", "/notices"), ("public", "/public")],
}
HOME = {"street-office": "/inspector", "enterprise-portal": "/enterprise", "enforcement-staff": "/cases"}


@dataclass
class Web:
    settings: Settings
    upstream: Upstream
    templates: Jinja2Templates
    accounts: AccountStore

    def now(self) -> Any:
        return self.settings.clock().now()


def web(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


WebDep = Annotated[Web, Depends(web)]


def lang_of(request: Request) -> Language:
    return chosen_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def current_session(request: Request, w: WebDep) -> Session | None:
    return sessions.decode(request.cookies.get(sessions.COOKIE), w.settings.session_secret, w.now())


class SignInNeeded(Exception):
    """No valid session: pages redirect to the sign-in page, data endpoints answer 401."""


def signed_in(request: Request, session: Annotated[Session | None, Depends(current_session)]) -> Session:
    if session is None:
        raise SignInNeeded(request.url.path)
    return session


SessionDep = Annotated[Session, Depends(signed_in)]
MaybeSessionDep = Annotated[Session | None, Depends(current_session)]


def calls(request: Request, w: WebDep, session: SessionDep) -> Calls:
    return w.upstream.as_(session, lang_of(request))


CallsDep = Annotated[Calls, Depends(calls)]


async def csrf_checked(request: Request, session: SessionDep) -> Session:
    """A form's or htmx request's token must be the session's: another site cannot post here."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = str((await request.form()).get("csrf") or "")
    if not sent or not secrets.compare_digest(sent, session.csrf):
        raise Problem(403, Text("表单已失效", "Form expired"),
                      Text("表单的安全令牌无效，请刷新页面后重试。",
                           "The form's CSRF token is invalid; reload and retry."),
                      type_="https://landgrade.example/problems/csrf")
    return session


CsrfDep = Annotated[Session, Depends(csrf_checked)]


def render(request: Request, name: str, session: Session | None, status_code: int = 200, **context: Any) -> Response:
    w = web(request)
    lang = lang_of(request)
    nav = NAVIGATION.get(session.role, []) if session else [("public", "/public")]
    response: Response = w.templates.TemplateResponse(request, name, {
        "session": session, "lang": lang, "t": lambda key: t(key, lang), "nav": nav,
        "path": request.url.path, "words": WORDS, **context}, status_code=status_code)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def tile_origin(tile_url: str | None) -> str:
    if not tile_url or "://" not in tile_url:
        return ""
    scheme, rest = tile_url.split("://", 1)
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return f" {scheme}://{host}"


class SecurityHeaders:
    """CSP and friends on every answer; pages for a signed-in person are never cached."""

    def __init__(self, app: Any, tile_url: str | None) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CSP.format(tiles=tile_origin(tile_url)).encode()),
            (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        signed = any(name == b"cookie" and sessions.COOKIE.encode() in value for name, value in scope["headers"])

        async def stamped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                extra = list(self.headers)
                if signed and not any(n.lower() == b"cache-control" for n, _ in own):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = own + extra
            await send(message)

        await self.app(scope, receive, stamped)


def html(text: str) -> HTMLResponse:
    return HTMLResponse(text)
