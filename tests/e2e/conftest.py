"""The four services as separate processes on the session's real PostgreSQL and Kafka."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from landgrade.testing import Infra
from landgrade.testing_stack import Stack, running_stack


# Module scope: the four processes consume the session's shared topics, so they must be gone
# before other suites publish events they would otherwise act on too.
@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("e2e-logs")) as running:
        yield running
