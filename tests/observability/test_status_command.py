"""`landgrade status` against the running services, and against one that does not answer."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from landgrade.cli import app
from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import SERVICES
from tests.observability.conftest import TracedStack


def _urls(urls: dict[str, str]) -> list[str]:
    return [arg for name, url in urls.items() for arg in ("--url", f"{name}={url}")]


@pytest.mark.e2e
def test_the_table_shows_every_service_ready_with_its_pipeline_figures(traced_stack: TracedStack) -> None:
    result = CliRunner().invoke(app, ["status", *_urls(traced_stack.stack.urls)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for spec in SERVICES:
        [row] = [line for line in lines if f" {spec.name} " in line]
        assert "ready" in row and "unreachable" not in row and "?" not in row
    # The consumers' lag, by group name, as read from the broker: a bulk lane is a group of its own.
    assert "evaluation-facts:" in result.output and "credit-ledger.grades:" in result.output
    assert "credit-ledger.grades.bulk:" in result.output and "enforcement-grades.bulk:" in result.output


def test_a_service_that_does_not_answer_is_never_shown_as_fine() -> None:
    silent = f"http://127.0.0.1:{free_port()}"
    urls = {spec.name: silent for spec in SERVICES}
    result = CliRunner().invoke(app, ["status", *_urls(urls)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    rows = [line for line in result.output.splitlines() if any(f" {s.name} " in line for s in SERVICES)]
    assert len(rows) == 4 and all("unreachable" in row and "?" in row for row in rows)
    assert " 0 " not in "\n".join(rows)  # no figure reads as an empty pipeline


def test_a_malformed_url_option_names_the_option() -> None:
    result = CliRunner().invoke(app, ["status", "--url", "registry=http://x"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "--url" in result.output
