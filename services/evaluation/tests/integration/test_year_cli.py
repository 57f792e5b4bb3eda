"""`landgrade year run | status | publish | finalize | summary` against evaluation running as its
own process on the session's real PostgreSQL and Kafka, as an operator uses it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from evaluation.synthetic import build
from landgrade.cli import app
from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import SERVICES, start_service, stop_processes, wait_ready
from landgrade.testing import Infra

EVALUATION = next(spec for spec in SERVICES if spec.name == "evaluation")


@pytest.fixture(scope="module")
def evaluation(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of an evaluation process whose clock stands at Thursday 20 November 2025."""
    run = uuid.uuid4().hex[:8]
    began = datetime.now(UTC).isoformat()  # earlier events on the shared topics are other suites'
    database = infra.database_url(f"cli_evaluation_{run}")
    port = free_port()
    process = start_service(EVALUATION, infra.bootstrap, infra.db_base, port=port, log_dir=Path(
        tmp_path_factory.mktemp("cli-logs")), extra_env={
        "DATABASE_URL": database, "KAFKA_CONSUMER_GROUP_PREFIX": f"cli-{run}", "KAFKA_CONSUMER_START_AT": began, "ENVIRONMENT": "test",
        "CLOCK_AT": "2025-11-20T10:00:00", "OUTBOX_POLL_SECONDS": "0.05"})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, timeout=180, process=process)
        yield url, database
    finally:
        stop_processes([process])


def year(*args: str, url: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--evaluation", url], env={"COLUMNS": "200"})
    return result.exit_code, result.output


async def test_the_yearly_cycle_from_the_command_line(evaluation: tuple[str, str]) -> None:
    url, database = evaluation
    engine = create_async_engine(database)
    async with engine.begin() as connection:
        await build(60, 2024, f"CLI{uuid.uuid4().hex[:5]}", seed=5).write(connection)
    await engine.dispose()

    code, out = year("year", "status", "2024", url=url)
    assert code == 0 and "尚未运行评价" in out

    code, out = year("run-evaluation", "--year", "2023", url=url)  # the former name still works
    assert code == 0, out
    code, out = year("year", "run", "2024", url=url)
    assert code == 0, out
    # Counts, never "0/None" (the consumer may have added parcels of other suites' events: ≥ 60).
    graded = re.search(r"(\d+)/(\d+) parcels", out)
    assert graded and graded[1] == graded[2] and int(graded[1]) >= 60, out
    assert "None" not in out and "year publish 2024" in out

    code, out = year("year", "status", "2024", url=url)
    assert code == 0 and "draft" in out

    code, out = year("year", "publish", "2024", "--window", "2", url=url)
    assert code == 1 and "异议期过短" in out  # below the ruleset's minimum of 5 working days
    code, out = year("year", "publish", "2024", url=url)
    assert code == 0, out
    assert "2025-11-27" in out  # Thursday 20 November + 5 working days

    code, out = year("year", "finalize", "2024", url=url)
    assert code == 1 and "异议期尚未结束" in out  # the clock stands still: the window is open

    code, out = year("year", "summary", "2024", url=url)
    assert code == 0, out
    assert "2024年度" in out and "较2023年度变化" in out and "荣华街道" in out
    for move in ("up", "down", "into_d", "newly_a"):
        assert move in out

    code, out = year("year", "summary", "2022", url=url)
    assert code == 1 and "该年度没有评价规则" in out
