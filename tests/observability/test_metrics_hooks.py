"""The metrics a service's own code feeds (the yearly run, the ledger's verification), and where
/metrics is answered: on the metrics port always, on the API's port only in development and test."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import generate_latest

from landgrade.devstack.ports import free_port
from servicekit.db import Database
from servicekit.http import create_app
from servicekit.metrics import Metrics
from servicekit.metrics_server import MetricsServer
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from tests.observability.scrape import families, total


def test_a_yearly_runs_progress_and_its_failure_are_counted_once() -> None:
    metrics = Metrics()
    metrics.yearly_run_progress("run-1", {"state": "running", "phase": "loading facts"})
    metrics.yearly_run_progress("run-1", {"phase": "grading", "total": 480})
    metrics.yearly_run_progress("run-1", {"graded": 120})
    scraped = families(generate_latest(metrics.registry).decode())
    assert total(scraped["yearly_run_parcels"], run_id="run-1", count="total") == 480
    assert total(scraped["yearly_run_parcels"], run_id="run-1", count="graded") == 120
    assert total(scraped["yearly_run_state"], run_id="run-1", state="running") == 1
    assert total(scraped["yearly_run_state"], run_id="run-1") == 1  # one state at a time

    metrics.yearly_run_progress("run-1", {"state": "failed", "phase": "failed", "error": "boom"})
    metrics.yearly_run_progress("run-1", {"state": "failed"})  # the same failure written twice is one
    scraped = families(generate_latest(metrics.registry).decode())
    assert total(scraped["yearly_runs_failed"]) == 1
    assert total(scraped["yearly_run_state"], run_id="run-1", state="failed") == 1
    metrics.yearly_run_progress("run-2", {"state": "running"})
    metrics.yearly_run_progress("run-2", {"state": "failed"})  # another run failing counts again
    assert total(families(generate_latest(metrics.registry).decode())["yearly_runs_failed"]) == 2


def test_ledger_verifications_are_counted_by_outcome_and_both_series_exist_from_the_start() -> None:
    metrics = Metrics()
    before = families(generate_latest(metrics.registry).decode())["ledger_verifications"]
    assert {labels["outcome"] for labels, _ in before if labels} == {"ok", "broken"}
    metrics.ledger_verified(True)
    metrics.ledger_verified(False)
    metrics.ledger_verified(True)
    after = families(generate_latest(metrics.registry).decode())["ledger_verifications"]
    assert total([s for s in after if "created" not in str(s)], outcome="ok") >= 2


def _app(environment: str) -> object:
    settings = ServiceSettings(environment=environment, jwt_secret="a-secret-of-this-deployment-only-0123456789",
                               database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    runtime = ServiceRuntime(settings, Database.connect(settings.database_url), Metrics())
    return create_app(runtime, [], title="t", description="t", run_background=False)


@pytest.mark.parametrize(("environment", "answered"), [("development", 200), ("test", 200), ("prod", 404)])
async def test_the_api_port_answers_metrics_only_in_development_and_test(environment: str, answered: int) -> None:
    transport = httpx.ASGITransport(app=_app(environment))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        assert (await client.get("/metrics")).status_code == answered


async def test_the_metrics_port_answers_get_metrics_and_nothing_else() -> None:
    metrics = Metrics()
    metrics.events_published.inc(3)
    server = MetricsServer(metrics, "127.0.0.1", free_port())
    await server.start()
    try:
        base = f"http://127.0.0.1:{server.bound_port}"
        async with httpx.AsyncClient() as client:
            scraped = await client.get(f"{base}/metrics")
            assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
            assert total(families(scraped.text)["outbox_events_published"]) == 3
            assert (await client.get(f"{base}/v1/parcels")).status_code == 404
            assert (await client.post(f"{base}/metrics")).status_code == 405
    finally:
        await server.stop()


async def test_a_slow_probe_delays_the_scrape_at_most_its_bound_and_is_counted(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import servicekit.metrics

    monkeypatch.setattr(servicekit.metrics, "PROBE_SECONDS", 0.2)
    metrics = Metrics()

    async def outbox_backlog() -> None:
        await asyncio.sleep(30)

    metrics.before_scrape.append(outbox_backlog)
    started = asyncio.get_running_loop().time()
    text = (await metrics.render()).decode()
    assert asyncio.get_running_loop().time() - started < 5
    assert total(families(text)["telemetry_probe_errors"], probe="outbox_backlog") == 1
