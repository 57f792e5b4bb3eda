"""The signed-in person, carried in one HttpOnly cookie signed with HMAC-SHA256.

The cookie holds who the person is (role, street or enterprise), when the session ends and the
CSRF token of its forms; in production also the person's own OpenID Connect access token, which
the console forwards. A cookie whose signature does not match, or whose time is up, is no session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime

COOKIE = "landgrade_session"


@dataclass(frozen=True)
class Session:
    subject: str
    name: str
    role: str
    expires_at: float  # POSIX seconds
    csrf: str
    jurisdiction: str | None = None
    uscc: str | None = None
    access_token: str | None = None  # the identity provider's, forwarded as it is (OIDC)

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires_at

    def with_token(self, token: str | None) -> Session:
        return replace(self, access_token=token)


def new_session(subject: str, name: str, role: str, now: datetime, lifetime_seconds: int, *,
                jurisdiction: str | None = None, uscc: str | None = None,
                access_token: str | None = None) -> Session:
    return Session(subject, name, role, now.timestamp() + lifetime_seconds, secrets.token_urlsafe(24),
                   jurisdiction, uscc, access_token)


def _sign(secret: str, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret.encode(), payload, hashlib.sha256).digest()).decode().rstrip("=")


def encode(session: Session, secret: str) -> str:
    # Unpadded base64url: the value needs no quoting in a Set-Cookie header.
    payload = base64.urlsafe_b64encode(json.dumps(asdict(session), separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload.encode())}"


def decode(cookie: str | None, secret: str, now: datetime) -> Session | None:
    if not cookie or "." not in cookie:
        return None
    payload, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return None
    try:
        session = Session(**json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (ValueError, TypeError):
        return None
    return None if session.expired(now) else session
