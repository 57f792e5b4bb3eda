"""The console's composition root: `build_app(settings)` and `main()`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from console.accounts import AccountStore
from console.pages import routers
from console.settings import Settings
from console.upstream import Upstream
from console.web import HERE, SecurityHeaders, SignInNeeded, Web
from servicekit.logging import configure_logging
from servicekit.problems import Problem, Text, install_problem_handlers, problem_response
from servicekit.serve import server_config


def build_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.upstream_timeout_seconds,
                                     limits=httpx.Limits(max_connections=64)) as client:
            app.state.web = Web(settings, Upstream(settings, client), templates, AccountStore(settings.accounts_file))
            yield

    templates = Jinja2Templates(directory=HERE / "templates")
    app = FastAPI(title="landgrade console", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    install_problem_handlers(app)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _: SignInNeeded) -> Response:
        if request.method == "GET" and "text/html" in request.headers.get("accept", "") \
                and "hx-request" not in request.headers:
            return RedirectResponse("/signin", status_code=303)
        return problem_response(Problem(401, Text("请先登录", "Sign in first"),
                                        Text("会话不存在或已过期。", "No session, or it has expired."),
                                        type_="https://landgrade.example/problems/signed-out"), request)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "alive"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        return JSONResponse({"status": "ready"})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in routers():
        app.include_router(router)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)
    return app


def main() -> None:
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    uvicorn.Server(server_config(settings, build_app(settings))).run()
