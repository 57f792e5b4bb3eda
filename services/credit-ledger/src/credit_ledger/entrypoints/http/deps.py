"""What routes need: the service's context and the scopes they require."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from credit_ledger.service_layer.context import Context
from servicekit.http import app_context

Ctx = Annotated[Context, Depends(app_context)]

READ = "credit:read"
REPAIR = "credit:repair"
BENEFITS_READ = "benefits:read"
