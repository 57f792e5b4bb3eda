"""`landgrade status`: each service's health, outbox backlog, consumer lag and dead letters in one
table, read from its /readyz and its metrics port (what Prometheus scrapes).

Nothing read is taken for good news: a service or metrics port that does not answer shows "?"
and the command exits 1, as it does when any service is not ready.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx
import typer
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from landgrade.devstack.stack import SERVICES

app = typer.Typer()
UNKNOWN = "?"


@dataclass
class ServiceStatus:
    name: str
    ready: bool | None = None  # None: did not answer
    failing: list[str] = field(default_factory=list)
    backlog: float | None = None
    oldest_seconds: float | None = None
    lag: dict[str, float] = field(default_factory=dict)  # consumer -> events behind
    commit_age: dict[str, float] = field(default_factory=dict)
    dead_lettered: float | None = None
    metrics_error: str | None = None

    @property
    def healthy(self) -> bool:
        return bool(self.ready) and self.metrics_error is None


def metrics_url(url: str, offset: int) -> str:
    """The service's metrics port: its API port + `offset` (METRICS_PORT's default is + 1000)."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(port=(parsed.port or 80) + offset, path="/metrics"))


def read_status(name: str, url: str, offset: int, client: httpx.Client) -> ServiceStatus:
    status = ServiceStatus(name)
    try:
        ready = client.get(f"{url.rstrip('/')}/readyz")
        status.ready = ready.status_code == 200
        checks = ready.json().get("checks", {}) if ready.content else {}
        status.failing = [f"{check}: {result}" for check, result in checks.items() if result != "ok"]
    except (httpx.HTTPError, ValueError) as error:
        status.failing = [f"unreachable: {type(error).__name__}"]
    try:
        scraped = client.get(metrics_url(url, offset))
        scraped.raise_for_status()
        _read_metrics(status, scraped.text)
    except httpx.HTTPError as error:
        status.metrics_error = type(error).__name__
    return status


def _read_metrics(status: ServiceStatus, text: str) -> None:
    dead = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels, value = sample.labels, sample.value
            if sample.name == "outbox_backlog_events":
                status.backlog = value
            elif sample.name == "outbox_oldest_unpublished_age_seconds":
                status.oldest_seconds = value
            elif sample.name == "consumer_lag_events":
                status.lag[labels["consumer"]] = status.lag.get(labels["consumer"], 0.0) + value
            elif sample.name == "consumer_last_commit_age_seconds":
                status.commit_age[labels["consumer"]] = value
            elif sample.name == "events_dead_lettered_total":
                dead += value
    status.dead_lettered = dead


def _number(value: float | None) -> str:
    if value is None or value != value:  # missing or NaN: the probe could not tell
        return UNKNOWN
    return f"{value:,.0f}"


def _seconds(value: float | None) -> str:
    if value is None or value != value:
        return UNKNOWN
    return f"{value:.0f}s" if value < 120 else f"{value / 60:.0f}m"


def render(statuses: list[ServiceStatus]) -> Table:
    table = Table(title="landgrade", title_justify="left")
    for column, justify in (("service", "left"), ("health", "left"), ("outbox backlog", "right"),
                            ("oldest unpublished", "right"), ("consumer lag", "left"), ("DLQ", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for s in statuses:
        if s.ready is None:
            health = Text("unreachable", style="bold red")
        elif s.ready:
            health = Text("ready", style="green")
        else:
            health = Text("not ready\n" + "\n".join(s.failing), style="bold red")
        if s.metrics_error is not None:
            health.append(f"\nmetrics: {s.metrics_error}", style="yellow")
        lag = "\n".join(f"{consumer}: {_number(behind)} (commit {_seconds(s.commit_age.get(consumer))} ago)"
                        for consumer, behind in sorted(s.lag.items())) or ("—" if s.metrics_error is None else UNKNOWN)
        dead = _number(s.dead_lettered)
        table.add_row(s.name, health, _number(s.backlog), _seconds(s.oldest_seconds), lag,
                      Text(dead, style="bold red") if dead not in ("0", UNKNOWN) else dead)
    return table


def _targets(urls: list[str]) -> dict[str, str]:
    targets = {spec.name: f"http://127.0.0.1:{spec.port}" for spec in SERVICES}
    for item in urls:
        name, sep, url = item.partition("=")
        if not sep or name not in targets or not url.startswith(("http://", "https://")):
            raise typer.BadParameter(f"expected SERVICE=URL with SERVICE one of {', '.join(targets)}: {item!r}",
                                     param_hint="--url")
        targets[name] = url
    return targets


@app.command()
def status(url: list[str] = typer.Option([], "--url", help="SERVICE=URL of a service's API (default: the "
                                                            "local ports 8001-8004); repeat for each"),
           metrics_offset: int = typer.Option(1000, help="the metrics port is the API port plus this "
                                                         "(METRICS_PORT's default)"),
           watch: bool = typer.Option(False, "--watch", help="refresh until Ctrl-C"),
           every: float = typer.Option(2.0, help="seconds between refreshes with --watch", min=0.2)) -> None:
    """Each service's health, outbox backlog, consumer lag and dead-lettered events, in one table."""
    targets = _targets(url)
    out = Console()
    with httpx.Client(timeout=5) as client:
        def snapshot() -> list[ServiceStatus]:
            return [read_status(name, target, metrics_offset, client) for name, target in targets.items()]

        statuses = snapshot()
        if watch:
            with Live(render(statuses), console=out, refresh_per_second=4) as live:
                try:
                    while True:
                        time.sleep(every)
                        statuses = snapshot()
                        live.update(Group(render(statuses), Text(time.strftime("%H:%M:%S"), style="dim")))
                except KeyboardInterrupt:
                    pass
        else:
            out.print(render(statuses))
    if not all(s.healthy for s in statuses):
        raise typer.Exit(1)
