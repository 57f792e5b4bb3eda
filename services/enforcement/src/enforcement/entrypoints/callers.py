"""Who the bearer token says the caller is, in the service layer's terms."""

from __future__ import annotations

from enforcement.service_layer.context import Caller
from servicekit.auth import Principal
from servicekit.problems import Problem


def caller_of(principal: Principal) -> Caller:
    return Caller(principal.subject, principal.jurisdiction, principal.is_admin)


def reader_of(principal: Principal) -> Caller:
    """A reader bound to an area unless the token reads everything (cases:read or admin).

    An inspection-app token (findings:write) must name its jurisdiction, or it would see every area.
    """
    caller = caller_of(principal)
    if caller.area is None and not principal.has("cases:read") and not principal.has("cases:write"):
        raise Problem(403, "Jurisdiction required", "This token carries no jurisdiction claim.")
    return caller
