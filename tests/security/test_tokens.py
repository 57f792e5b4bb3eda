"""A token carries only what its holder needs, and only a well-formed token is honoured."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from servicekit.auth import mint_token
from servicekit.settings import DEV_JWT_SECRET
from tests.foundation.test_http_plumbing import _app, _client

BODY = {"name": "x", "amount": 1}


def _bearer(claims: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode(claims, DEV_JWT_SECRET, algorithm="HS256")}


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": "tax-system", "scope": "things:write", "iat": now, "exp": now + 600,
                              "iss": "landgrade", "aud": "landgrade"}
    for name, value in changes.items():
        if value is None:
            claims.pop(name)
        else:
            claims[name] = value
    return claims


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub"])
async def test_a_token_without_a_required_claim_is_refused(missing: str) -> None:
    async with _client(_app()) as c:
        assert (await c.post("/things", json=BODY, headers=_bearer(_claims()))).status_code == 200
        refused = await c.post("/things", json=BODY, headers=_bearer(_claims(**{missing: None})))
    assert refused.status_code == 401
    assert missing in refused.json()["detail"]


@pytest.mark.parametrize("scope", [{"things:write": True}, ["things:write", 7], 42])
async def test_scope_is_a_string_or_a_list_of_strings_and_nothing_else(scope: Any) -> None:
    async with _client(_app()) as c:
        refused = await c.post("/things", json=BODY, headers=_bearer(_claims(scope=scope)))
        listed = await c.post("/things", json=BODY, headers=_bearer(_claims(scope=["things:write"])))
    assert refused.status_code == 401
    assert listed.status_code == 200


async def test_a_token_valid_for_longer_than_the_maximum_lifetime_is_refused() -> None:
    now = int(time.time())
    async with _client(_app()) as c:
        too_long = await c.post("/things", json=BODY, headers=_bearer(_claims(iat=now, exp=now + 25 * 3600)))
        a_day = await c.post("/things", json=BODY, headers=_bearer(_claims(iat=now, exp=now + 24 * 3600)))
    assert too_long.status_code == 401
    assert "86400" in too_long.json()["detail"]
    assert a_day.status_code == 200


async def test_a_token_for_another_audience_or_issuer_is_refused() -> None:
    async with _client(_app()) as c:
        for claims in (_claims(aud="another-system"), _claims(iss="someone-else")):
            assert (await c.post("/things", json=BODY, headers=_bearer(claims))).status_code == 401


async def test_an_enterprise_token_names_its_enterprise() -> None:
    from servicekit.auth import TokenVerifier
    from servicekit.settings import ServiceSettings

    bound = mint_token(DEV_JWT_SECRET, "enterprise-portal", ["grades:read"], uscc="91110302MA01ABCDEA")
    assert TokenVerifier(ServiceSettings()).verify(bound).uscc == "91110302MA01ABCDEA"


@pytest.mark.parametrize("environment", ["prod", "production", "staging", "dev", "Production"])
def test_the_development_secret_is_refused_outside_development_and_test(environment: str) -> None:
    from pydantic import ValidationError

    from servicekit.settings import ServiceSettings

    with pytest.raises(ValidationError, match="JWT_SECRET"):
        ServiceSettings(environment=environment)
    assert ServiceSettings(environment=environment, jwt_secret="a-secret-of-this-deployment").environment == environment


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_and_test_run_on_the_development_secret(environment: str) -> None:
    from servicekit.settings import ServiceSettings

    assert ServiceSettings(environment=environment).jwt_secret == DEV_JWT_SECRET
