"""Enterprises from the business registry: people, shareholders, equity links, related parties."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from parcel_registry.domain.errors import DomainValidationError
from parcel_registry.entrypoints.deps import READ_SCOPES, RegistryDep, invalid, path_uscc
from parcel_registry.entrypoints.requests import EnterpriseIn
from parcel_registry.entrypoints.views import enterprise_view, path_view, rules_view
from parcel_registry.service_layer import enterprises as service
from parcel_registry.service_layer.registry import Change
from servicekit.auth import Principal, require

ENTERPRISE_FIELDS = {"share_pct": "share"}
Depth = Query(None, ge=1, le=10, description="steps of shareholding to follow (default: the service setting)")


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/enterprises", tags=["enterprises"])

    @r.put("/{uscc}", summary="Register or change an enterprise (as the business registry reports it)")
    async def put_enterprise(
        uscc: str, body: EnterpriseIn, registry: RegistryDep, principal: Principal = require("registry:write")
    ) -> JSONResponse:
        try:
            enterprise = body.to_domain(path_uscc(uscc))
        except DomainValidationError as bad:
            raise invalid(bad, ENTERPRISE_FIELDS) from None
        stored, change = await service.put_enterprise(registry, enterprise)
        view = enterprise_view(stored, registry.vault, reveal=principal.is_admin) | {"change": change.value}
        return JSONResponse(jsonable_encoder(view), status_code=201 if change is Change.CREATED else 200)

    @r.get("/{uscc}", summary="An enterprise; ID numbers are masked unless the caller is admin")
    async def get_enterprise(
        uscc: str, registry: RegistryDep, principal: Principal = require(*READ_SCOPES)
    ) -> dict[str, Any]:
        stored = await service.get_enterprise(registry, path_uscc(uscc))
        return enterprise_view(stored, registry.vault, reveal=principal.is_admin)

    @r.get("/{uscc}/related", summary="Related parties: equity-linked enterprises or ones sharing a person")
    async def related(
        uscc: str, registry: RegistryDep, _: Principal = require(*READ_SCOPES), depth: int | None = Depth
    ) -> dict[str, Any]:
        x = path_uscc(uscc)
        found = await service.related(registry, x, depth)
        return {
            "uscc": x,
            "rules": rules_view(found.rules),
            "related": [
                {
                    "uscc": p.uscc,
                    "name": found.names.get(p.uscc),
                    "equity_link": path_view(p.equity_path) if p.equity_path else None,
                    "shared_persons": [
                        {
                            "person_ref": s.person_token,
                            "roles_here": list(s.roles_here),
                            "roles_there": list(s.roles_there),
                        }
                        for s in p.shared_persons
                    ],
                }
                for p in found.parties
            ],
        }

    @r.get("/{uscc}/equity-links/{other}", summary="Are two enterprises equity-linked, and how")
    async def equity_link(
        uscc: str, other: str, registry: RegistryDep, _: Principal = require(*READ_SCOPES), depth: int | None = Depth
    ) -> dict[str, Any]:
        x, y = path_uscc(uscc), path_uscc(other, "other")
        rules, path = await service.link(registry, x, y, depth)
        return {
            "uscc": x,
            "other": y,
            "linked": path is not None,
            "rules": rules_view(rules),
            "link": path_view(path) if path else None,
        }

    return r
