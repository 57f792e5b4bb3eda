"""`landgrade restore` refuses a backup it cannot trust before it touches any server: no manifest
(an unfinished backup), an archive altered or missing since, a name that is not a database."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from landgrade.cli import app as cli
from landgrade.cli.backup import FORMAT, backup_databases, libpq_url, read_manifest

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/postgres"


def written(tmp_path: Path, database: str = "credit_ledger", content: bytes = b"PGDMP archive") -> Path:
    (tmp_path / f"{database}.dump").write_bytes(content)
    entry = {"database": database, "file": f"{database}.dump", "bytes": len(content),
             "sha256": hashlib.sha256(content).hexdigest()}
    (tmp_path / "manifest.json").write_text(json.dumps({"format": FORMAT, "databases": [entry]}))
    return tmp_path


def test_a_complete_backup_is_read(tmp_path: Path) -> None:
    assert [d["database"] for d in read_manifest(written(tmp_path))["databases"]] == ["credit_ledger"]


def test_an_unfinished_backup_is_refused(tmp_path: Path) -> None:
    (tmp_path / "credit_ledger.dump").write_bytes(b"PGDMP")
    result = CliRunner().invoke(cli, ["restore", str(tmp_path), "--server", UNREACHABLE])
    assert result.exit_code != 0 and "manifest.json" in result.output


def test_an_altered_archive_is_refused(tmp_path: Path) -> None:
    written(tmp_path)
    (tmp_path / "credit_ledger.dump").write_bytes(b"PGDMP archive, altered")
    with pytest.raises(typer.BadParameter, match=r"credit_ledger\.dump"):
        read_manifest(tmp_path)
    result = CliRunner().invoke(cli, ["restore", str(tmp_path), "--server", UNREACHABLE])
    assert result.exit_code != 0 and "sha256" in result.output


def test_a_name_that_is_no_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(typer.BadParameter, match="not a database name"):
        read_manifest(written(tmp_path, database='x"; DROP DATABASE credit_ledger; --'))


def test_a_backup_never_overwrites_another(tmp_path: Path) -> None:
    written(tmp_path)
    with pytest.raises(typer.BadParameter, match="already holds a backup"):
        backup_databases(UNREACHABLE, tmp_path)


def test_server_urls_as_libpq_reads_them() -> None:
    assert libpq_url("postgresql+asyncpg://postgres@127.0.0.1:5432/postgres", "evaluation") == \
        "postgresql://postgres@127.0.0.1:5432/evaluation"
    assert libpq_url("postgresql://u@db.example:5432/app?sslmode=require", "enforcement") == \
        "postgresql://u@db.example:5432/enforcement?sslmode=require"
