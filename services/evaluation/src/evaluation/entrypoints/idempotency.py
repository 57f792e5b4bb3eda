"""Reads the optional `Idempotency-Key` header of a POST."""

from __future__ import annotations

from fastapi import Request

from evaluation.service_layer.idempotent import IdempotentRequest
from servicekit.auth import Principal
from servicekit.idempotency import request_hash


async def idempotent_request(request: Request, principal: Principal) -> IdempotentRequest | None:
    key = request.headers.get("Idempotency-Key")
    if not key:
        return None
    fingerprint = request_hash(request.method, request.url.path, await request.body())
    return IdempotentRequest(principal.subject, key[:200], fingerprint)
