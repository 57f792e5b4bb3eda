"""What routes need: the service's context, the scopes they require and the problems they document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from credit_ledger.service_layer.context import Context
from servicekit.http import app_context

Ctx = Annotated[Context, Depends(app_context)]

READ = "credit:read"
REPAIR = "credit:repair"
BENEFITS_READ = "benefits:read"

# The `type` of the 404 answered for a well-formed USCC the ledger holds nothing about: a client
# tells it from every other 404 and never reads it as "no restriction".
UNKNOWN_ENTERPRISE = "https://landgrade.example/problems/unknown-enterprise"
INVALID_USCC = "https://landgrade.example/problems/invalid-uscc"
UNKNOWN_REPAIR = "https://landgrade.example/problems/unknown-repair"
UNKNOWN_SUBJECT = "https://landgrade.example/problems/unknown-subject"
UNKNOWN_RECORD = "https://landgrade.example/problems/unknown-record"
REPAIR_REFUSED = "https://landgrade.example/problems/repair-refused"
TOO_MANY_REQUESTS = "https://landgrade.example/problems/too-many-requests"

# The answers of a route that looks an enterprise up by its USCC.
ENTERPRISE_LOOKUP: dict[int | str, dict[str, Any]] = {
    403: {"description": "the token lacks the scope, or is bound (`uscc` claim) to another enterprise"},
    404: {"description": f"a well-formed USCC the ledger holds nothing about (problem `type` {UNKNOWN_ENTERPRISE}); "
                         "never a clearance"},
    422: {"description": "not a valid USCC (normalised first: NFKC, blanks and dashes dropped, upper case; "
                         "then the check character); the field is named in `errors`"},
}
