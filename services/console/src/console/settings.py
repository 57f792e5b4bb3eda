"""Settings of the console (environment variables, unprefixed names).

The console owns no domain data: it reaches the four services over HTTP at the URLs below, with a
token holding exactly the signed-in person's role (development) or the person's own OpenID
Connect access token (production).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from servicekit.settings import ServiceSettings

# Public on purpose, like the services' development JWT secret; refused outside development.
DEV_SESSION_SECRET = "landgrade-console-development-session-secret"  # noqa: S105  # nosec B105


class Settings(ServiceSettings):
    service_name: str = "console"
    http_port: int = 8005
    registry_url: str = "http://127.0.0.1:8001"
    evaluation_url: str = "http://127.0.0.1:8002"
    credit_url: str = "http://127.0.0.1:8003"
    enforcement_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # A basemap's tile URL template ({z}/{x}/{y}); none by default: the map then draws street
    # outlines and labels on its own, which reads without any network.
    tile_url: str | None = None
    tile_attribution: str = ""
    # Signs the session cookie; the development value is public and refused outside development.
    session_secret: str = DEV_SESSION_SECRET
    session_seconds: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    # Local accounts (development, and the demo): one JSON file of salted scrypt hashes.
    accounts_file: Path = Path(".local/console-accounts.json")
    local_accounts: bool = True
    # OpenID Connect (authorization code with PKCE). The issuer's discovery document gives the
    # endpoints; the role comes from `oidc_role_claim`, the street from `oidc_jurisdiction_claim`
    # and the enterprise from `oidc_uscc_claim` of the ID token.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_redirect_uri: str | None = None
    oidc_scopes: str = "openid profile"
    oidc_role_claim: str = "landgrade_role"
    oidc_jurisdiction_claim: str = "jurisdiction"
    oidc_uscc_claim: str = "uscc"

    @property
    def secure_cookies(self) -> bool:
        """Cookies travel only over HTTPS everywhere but on a developer's or the tests' machine."""
        return not self.allows_development_secrets

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_redirect_uri)

    @model_validator(mode="after")
    def _refuse_dev_session_secret(self) -> Settings:
        if not self.allows_development_secrets and self.session_secret == DEV_SESSION_SECRET:
            raise ValueError(f"SESSION_SECRET must be set when ENVIRONMENT is {self.environment!r} (the development "
                             "secret is public; it is accepted only in development and test)")
        return self
