"""Operator commands: tokens for clients, dead-letter replay."""

from __future__ import annotations

import asyncio

import typer

from landgrade.cli.common import console, signing_secret
from landgrade.roles import JURISDICTION_BOUND, ROLES
from servicekit.auth import mint_token
from servicekit.settings import ServiceSettings

app = typer.Typer()


@app.command()
def token(role: str = typer.Option(..., help=f"one of: {', '.join(ROLES)}"),
          jurisdiction: str | None = typer.Option(None, help="street office or town (street-office role)"),
          subject: str | None = typer.Option(None, help="the client's name in the token (default: the role)"),
          hours: int = typer.Option(12, help="lifetime in hours")) -> None:
    """Mint a local HS256 token for a client role (signed with JWT_SECRET, or the development secret)."""
    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", param_hint="--role")
    if role in JURISDICTION_BOUND and not jurisdiction:
        raise typer.BadParameter("a street-office token needs --jurisdiction, e.g. 荣华街道",
                                 param_hint="--jurisdiction")
    typer.echo(mint_token(signing_secret("--role"), subject or role, ROLES[role], jurisdiction=jurisdiction,
                          ttl_seconds=hours * 3600))


@app.command("dlq-replay")
def dlq_replay(topic: str = typer.Argument(..., help="the dead-letter topic, e.g. landgrade.evaluation.grades.v1.dlq"),
               limit: int | None = typer.Option(None, help="stop after this many records")) -> None:
    """Send dead-lettered events back to the topic they came from (consumers skip what they applied)."""
    from servicekit.dlq import replay

    if not topic.endswith(".dlq"):
        raise typer.BadParameter("expected a topic ending in .dlq", param_hint="TOPIC")
    settings = ServiceSettings(service_name="landgrade-cli")
    count = asyncio.run(replay(settings, topic, limit))
    console.print(f"replayed {count} event(s) from {topic}")
