"""Local accounts for development and the demo, one JSON file of salted scrypt hashes.

    python -m console.accounts create NAME --role land-staff [--jurisdiction 荣华街道] [--uscc ...]
    python -m console.accounts demo [--password PASS] [--uscc USCC]   # one account per person role

Production signs in through OpenID Connect instead (settings `OIDC_*`).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import secrets
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from landgrade.roles import JURISDICTION_BOUND, ROLES
from landgrade_reference.jurisdictions import jurisdiction_from_text
from landgrade_reference.uscc import parse_uscc

# The roles a person signs in with; the others are machines' (tax system, approval systems, ...).
PERSON_ROLES = ("admin", "land-staff", "enforcement-staff", "street-office", "enterprise-portal")
ENTERPRISE_ROLE = "enterprise-portal"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str
    jurisdiction: str | None = None
    uscc: str | None = None


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    kind, salt, digest = [*stored.split("$"), "", "", ""][:3]
    if kind != "scrypt":
        return False
    actual = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    return hmac.compare_digest(actual.hex(), digest)


class AccountError(ValueError):
    pass


def checked(name: str, role: str, password: str, jurisdiction: str | None = None,
            uscc: str | None = None) -> Account:
    """An account whose role exists, with the street a street office needs and the enterprise an
    enterprise needs, and nothing it does not."""
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not name.strip() or len(password) < 4:
        raise AccountError("an account needs a name and a password of at least 4 characters")
    if role in JURISDICTION_BOUND:
        if not jurisdiction:
            raise AccountError(f"role {role} needs --jurisdiction (a street or town)")
        jurisdiction = jurisdiction_from_text(jurisdiction).name_zh
    elif jurisdiction:
        raise AccountError(f"role {role} is not bound to a street")
    if role == ENTERPRISE_ROLE:
        if not uscc:
            raise AccountError(f"role {role} needs --uscc (the enterprise it acts for)")
        uscc = parse_uscc(uscc)
    elif uscc:
        raise AccountError(f"role {role} is not bound to an enterprise")
    return Account(name.strip(), role, hash_password(password), jurisdiction, uscc)


class AccountStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> dict[str, Account]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        return {name: Account(**fields) for name, fields in raw.items()}

    def get(self, name: str) -> Account | None:
        return self.all().get(name)

    def put(self, account: Account) -> None:
        accounts = self.all() | {account.name: account}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({n: asdict(a) for n, a in accounts.items()}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
        temporary.chmod(0o600)
        temporary.replace(self.path)

    def authenticate(self, name: str, password: str) -> Account | None:
        account = self.get(name)
        # The hash is computed even for an unknown name, so timing does not tell names apart.
        stored = account.password_hash if account else hash_password(secrets.token_hex(8))
        return account if password_matches(password, stored) and account else None


def demo_accounts(password: str, uscc: str, street: str = "荣华街道", other_street: str = "博兴街道") -> list[Account]:
    """One account per person role, named after it (the street office once per street given)."""
    return [
        checked("admin", "admin", password),
        checked("land-staff", "land-staff", password),
        checked("enforcement-staff", "enforcement-staff", password),
        checked("street-office", "street-office", password, jurisdiction=street),
        checked("street-office-2", "street-office", password, jurisdiction=other_street),
        checked("enterprise", ENTERPRISE_ROLE, password, uscc=uscc),
    ]


DEMO_PASSWORD = "landgrade"  # noqa: S105  # nosec B105  # the demo's public password; demo accounts exist in development only


def ensure_demo_accounts(path: Path, registry_url: str, password: str = DEMO_PASSWORD) -> bool:
    """The demo's accounts, once: the enterprise account acts for the holder of the registry's first
    parcel. False when the file exists already or the registry holds no parcel yet."""
    if path.exists():
        return False
    import httpx

    from servicekit.auth import mint_token
    from servicekit.settings import ServiceSettings

    settings = ServiceSettings()
    token = mint_token(settings.jwt_secret, "console:demo-accounts", ROLES["land-staff"],
                       issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_seconds=60)
    response = httpx.get(f"{registry_url}/v1/parcels", params={"limit": 1}, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
    items = response.json().get("items") if response.status_code == 200 else None
    if not items:
        return False
    store = AccountStore(path)
    for account in demo_accounts(password, items[0]["rights_holder"]):
        store.put(account)
    return True


def main(argv: list[str] | None = None) -> int:
    from console.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m console.accounts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create or replace one account")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=sorted(ROLES))
    create.add_argument("--jurisdiction")
    create.add_argument("--uscc")
    create.add_argument("--password", help="read from standard input when missing")
    demo = commands.add_parser("demo", help="one account per person role (development only)")
    demo.add_argument("--password", default=DEMO_PASSWORD)
    demo.add_argument("--uscc", required=True, help="the enterprise the enterprise account acts for")
    commands.add_parser("list", help="the accounts, without their hashes")
    args = parser.parse_args(argv)
    settings = Settings()
    store = AccountStore(settings.accounts_file)
    try:
        if args.command == "create":
            password = args.password or sys.stdin.readline().rstrip("\n")
            store.put(checked(args.name, args.role, password, args.jurisdiction, args.uscc))
        elif args.command == "demo":
            if not settings.allows_development_secrets:
                raise AccountError("demo accounts are for development only")
            for account in demo_accounts(args.password, args.uscc):
                store.put(account)
        for account in store.all().values():
            bound = account.jurisdiction or account.uscc or ""
            print(f"{account.name:20} {account.role:18} {bound}")
    except (AccountError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
