"""The CLI carries the operator's token, or signs a development token with only what a command
needs — and only against a development stack."""

from __future__ import annotations

import jwt
import pytest
import typer

from landgrade.cli.common import client as _client
from servicekit.settings import DEV_JWT_SECRET


def _claims(client) -> dict[str, object]:  # type: ignore[no-untyped-def]
    bearer = client.headers["Authorization"].removeprefix("Bearer ")
    return jwt.decode(bearer, DEV_JWT_SECRET, algorithms=["HS256"], audience="landgrade")  # type: ignore[no-any-return]


def test_a_development_token_holds_only_the_scopes_of_its_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with _client("http://127.0.0.1:1", ["grades:read"], None) as client:
        claims = _claims(client)
    assert claims["scope"] == "grades:read"
    assert int(claims["exp"]) - int(claims["iat"]) <= 900  # type: ignore[call-overload]


@pytest.mark.parametrize("environment", ["prod", "staging"])
def test_without_a_token_the_cli_refuses_a_stack_that_is_not_for_development(
        monkeypatch: pytest.MonkeyPatch, environment: str) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(typer.BadParameter, match="LANDGRADE_TOKEN"):
        _client("http://127.0.0.1:1", ["grades:read"], None)


def test_a_given_token_is_sent_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    with _client("http://127.0.0.1:1", ["admin"], "issued.by.the-idp") as client:
        assert client.headers["Authorization"] == "Bearer issued.by.the-idp"
