"""The README's role table is what `landgrade token` mints, and its route table names scopes that
some role holds."""

from __future__ import annotations

from landgrade.roles import ROLES
from landgrade.scope_table import roles, routes


def test_the_readme_roles_are_the_roles_tokens_are_minted_for() -> None:
    assert roles() == ROLES


def test_every_route_scope_is_held_by_a_role() -> None:
    held = {scope for scopes in ROLES.values() for scope in scopes}
    unheld = {(r.service, r.method, r.path): r.scopes - held for r in routes() if r.scopes - held - {"admin"}}
    assert not unheld


def test_the_business_registry_holds_no_land_staff_route() -> None:
    land_staff_writes = [r for r in routes() if r.scopes & {"parcels:write"}]
    assert land_staff_writes and all(not (r.scopes & set(ROLES["business-registry"])) for r in land_staff_writes)
