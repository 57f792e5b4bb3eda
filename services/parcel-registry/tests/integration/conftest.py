"""A running parcel-registry on a fresh database (real PostgreSQL and Kafka from the session)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from landgrade.testing import serving
from landgrade_reference.resident_ids import resident_id_check_character
from landgrade_reference.uscc import ALPHABET, with_check_character
from parcel_registry.bootstrap import MIGRATIONS, build_app
from parcel_registry.settings import Settings


@pytest.fixture
async def client(make_settings: Callable[..., Awaitable[Settings]]) -> AsyncIterator[httpx.AsyncClient]:
    settings = await make_settings(Settings, MIGRATIONS)
    async with serving(build_app(settings)) as c:
        yield c


@pytest.fixture
def new_uscc() -> Callable[[], str]:
    """A fresh valid USCC per call, registered in Beijing's E-Town (region 110115)."""
    rng = random.Random()

    def make() -> str:
        return with_check_character("91110115" + "".join(rng.choice(ALPHABET) for _ in range(9)))

    return make


@pytest.fixture
def new_id_number() -> Callable[[], str]:
    rng = random.Random()

    def make() -> str:
        body = (
            f"110105{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        return body + resident_id_check_character(body)

    return make
