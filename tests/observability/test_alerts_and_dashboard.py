"""The alert rules and the Grafana dashboard are valid documents (no promtool here: the operator's
schema and a check of every expression), the alerts the issue asks for are there, and every
metric they read is one the services export (a scrape of the four running services)."""

from __future__ import annotations

import jsonschema
import pytest

from landgrade.devstack.stack import SERVICES
from tests.observability.alerting import (
    DASHBOARD_SCHEMA,
    NOT_OURS,
    PROMETHEUS_RULE,
    balanced,
    dashboard,
    metric_names,
    rules,
)
from tests.observability.conftest import TracedStack
from tests.observability.scrape import sample_names, scrape

REQUIRED_ALERTS = {
    "LandgradeDeadLetters",  # DLQ growth
    "LandgradeOutboxOldestRowStale",
    "LandgradeConsumerLagRising",
    "LandgradeNotReady",  # /readyz failing
    "LandgradeYearlyRunFailed",
    "LandgradeLedgerVerificationFailed",
}


def _expressions() -> list[tuple[str, str]]:
    found = [(rule.get("alert") or rule["record"], rule["expr"])
             for document in rules() for group in document["spec"]["groups"] for rule in group["rules"]]
    found += [(panel["title"], target["expr"]) for panel in dashboard()["panels"] for target in panel.get("targets", [])]
    return found


def _recorded() -> set[str]:
    return {rule["record"] for d in rules() for g in d["spec"]["groups"] for rule in g["rules"] if "record" in rule}


def test_the_rules_follow_the_operators_schema_and_the_asked_for_alerts_are_there() -> None:
    alerts = set()
    for document in rules():
        jsonschema.validate(document, PROMETHEUS_RULE)
        alerts |= {r["alert"] for g in document["spec"]["groups"] for r in g["rules"] if "alert" in r}
    assert REQUIRED_ALERTS <= alerts
    names = [d["metadata"]["name"] for d in rules()]
    assert len(names) == len(set(names))


def test_the_dashboard_is_a_grafana_dashboard_of_the_whole_pipeline() -> None:
    board = dashboard()
    jsonschema.validate(board, DASHBOARD_SCHEMA)
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    read = set().union(*(metric_names(e) for title, e in _expressions() if title in {p["title"] for p in board["panels"]}))
    # From the POST to the credit record: intake, outbox, consumers, dead letters, results.
    assert {"http_requests_total", "outbox_backlog_events", "outbox_oldest_unpublished_age_seconds",
            "consumer_lag_events", "events_consumed_total", "events_dead_lettered_total",
            "yearly_run_parcels", "ledger_verifications_total", "db_pool_waiting"} <= read


def test_every_expression_is_well_formed_and_reads_metrics() -> None:
    for title, expr in _expressions():
        assert balanced(expr), title
        assert metric_names(expr), title


def test_expression_names_are_found_as_prometheus_reads_them() -> None:
    assert metric_names('sum by (service) (increase(events_dead_lettered_total{namespace="x", a=~"b|c"}[10m])) > 0 '
                        'and on() delta(landgrade:consumer_lag:sum[5m]) > 100') == {
        "events_dead_lettered_total", "landgrade:consumer_lag:sum"}
    assert metric_names('histogram_quantile(0.95, sum by (le) (rate(http_request_seconds_bucket[5m])))') == {
        "http_request_seconds_bucket"}


@pytest.mark.e2e
async def test_every_metric_the_alerts_and_dashboard_read_is_exported(traced_stack: TracedStack) -> None:
    exported: set[str] = set()
    for spec in SERVICES:
        exported |= sample_names(await scrape(traced_stack.metrics_url(spec.name)))
    missing = {(title, name) for title, expr in _expressions() for name in metric_names(expr)
               if name not in exported | _recorded() | NOT_OURS}
    assert missing == set()
    # The standard process and interpreter metrics are there too.
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes", "python_gc_collections_total"} <= exported
