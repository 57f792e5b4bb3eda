"""What every command shares: the console, the token option, a client holding least scopes, problems."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import typer
from rich.console import Console

from servicekit.auth import mint_token
from servicekit.clock import clock_at
from servicekit.settings import DEV_JWT_SECRET, ServiceSettings

console = Console(stderr=True)


def now() -> datetime:
    """Beijing time, from the same clock the services run on (`CLOCK_AT` fixes it)."""
    fixed = os.environ.get("CLOCK_AT")
    return clock_at(datetime.fromisoformat(fixed) if fixed else None).now()

TokenOption = typer.Option(None, "--token", envvar="LANDGRADE_TOKEN", show_default=False,
                           help="bearer token for the services (from the identity provider); without one, "
                                "a short development token is signed, against a development stack only")


def client(url: str, scopes: list[str], token: str | None) -> httpx.Client:
    """A client that sends `token`; without one, a development token holding only `scopes`
    (what this command needs), signed only where ENVIRONMENT is development or test."""
    if token is None:
        token = mint_token(signing_secret("--token"), "landgrade-cli", scopes, ttl_seconds=900)
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def signing_secret(param_hint: str) -> str:
    """JWT_SECRET (HS256 deployments), or the public development secret in development and test only."""
    secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
    try:
        settings = ServiceSettings(service_name="landgrade-cli", jwt_secret=secret)
    except ValueError:  # the development secret outside development: refused by the settings
        settings = None
    if settings is None or not settings.jwt_algorithm.startswith("HS"):
        raise typer.BadParameter("this stack is not a development one: give --token or LANDGRADE_TOKEN "
                                 "(a token from the identity provider)", param_hint=param_hint)
    return settings.jwt_secret


def fail_on_problem(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        problem = response.json()
    except ValueError:
        problem = {"title": response.text}
    console.print(f"[red]{response.status_code} {problem.get('title', '')}[/red] {problem.get('detail', '')}")
    for error in problem.get("errors", [])[:50]:
        console.print(f"  • {error}")
    raise typer.Exit(1)


def pages(base: str, path: str, params: dict[str, Any], scopes: list[str],
           token: str | None) -> Iterator[dict[str, Any]]:
    """Follows either pagination style the services use: `next` cursor (`after=`) or offset/total."""
    with client(base, scopes, token) as http:
        after: Any = None
        offset = 0
        while True:
            query = params | {"limit": 500} | ({"after": after} if after else {"offset": offset})
            response = http.get(path, params=query)
            fail_on_problem(response)
            page = response.json()
            items = page.get("items", [])
            yield from items
            offset += len(items)
            if "next" in page:
                after = page["next"]
                if not after:
                    return
            elif not items or offset >= int(page.get("total", 0)):
                return
