"""Services take the database URIs operators hand out, as they are."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from servicekit.settings import ServiceSettings


@pytest.mark.parametrize(("given", "used"), [
    ("postgresql://app:s3cret@ledger-rw.landgrade:5432/app",
     "postgresql+asyncpg://app:s3cret@ledger-rw.landgrade:5432/app"),
    ("postgres://app@db/app?sslmode=require", "postgresql+asyncpg://app@db/app?ssl=require"),
    ("postgresql://app@db/app?sslmode=verify-full&application_name=x",
     "postgresql+asyncpg://app@db/app?ssl=verify-full&application_name=x"),
    ("postgresql+asyncpg://postgres@127.0.0.1:5432/postgres", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
])
def test_plain_postgresql_uris_are_taken_as_they_are(given: str, used: str) -> None:
    assert ServiceSettings(database_url=given).database_url == used


def test_an_unknown_sslmode_is_refused_rather_than_dropped() -> None:
    with pytest.raises(ValidationError, match="sslmode"):
        ServiceSettings(database_url="postgresql://app@db/app?sslmode=verify_full")


def test_the_change_feed_connection_speaks_libpq_again() -> None:
    from servicekit.db import asyncpg_dsn

    url = ServiceSettings(database_url="postgresql://app:pw@db:5432/app?sslmode=require").database_url
    assert asyncpg_dsn(url) == "postgresql://app:pw@db:5432/app?sslmode=require"
