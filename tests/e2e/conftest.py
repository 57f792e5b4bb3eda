"""The four services as separate processes on the session's real PostgreSQL and Kafka."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from landgrade.testing import Infra
from landgrade.testing_stack import Stack, running_stack

# Each story grades a year of its own (2031-2038), so that one story's final year is never another's:
# the services' clock stands in 2040, when those years are history (a filing for a year after the
# current one is refused).
CLOCK_AT = "2040-06-30T12:00:00+08:00"


# Module scope: the four processes consume the session's shared topics, so they must be gone
# before other suites publish events they would otherwise act on too.
@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("e2e-logs"), extra_env={"CLOCK_AT": CLOCK_AT}) as running:
        yield running
