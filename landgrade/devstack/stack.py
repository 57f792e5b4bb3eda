"""`make run`: Kafka, PostgreSQL and the four services as separate processes; Ctrl-C stops all.

Infrastructure state lives in `.local/` (gitignored) so a second `make run` starts where the
first stopped. `KAFKA_BOOTSTRAP_SERVERS` or `LANDGRADE_DATABASE_URL` in the environment switch to
external servers; then nothing local is started for them.
"""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404  # starts the services as processes
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from landgrade.devstack.kafka import kafka_nodes, local_kafka
from landgrade.devstack.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int

    @property
    def database(self) -> str:
        return self.name.replace("-", "_")


SERVICES = [
    ServiceSpec("parcel-registry", "parcel_registry.bootstrap", 8001),
    ServiceSpec("evaluation", "evaluation.bootstrap", 8002),
    ServiceSpec("credit-ledger", "credit_ledger.bootstrap", 8003),
    ServiceSpec("enforcement", "enforcement.bootstrap", 8004),
]


def database_url(base: str, database: str) -> str:
    return base.rsplit("/", 1)[0] + f"/{database}"


@contextmanager
def infrastructure(state: Path, kafka_port: int = 9092, controller_port: int = 9093,
                   pg_port: int = 5432) -> Iterator[tuple[str, str]]:
    """Yields (kafka bootstrap servers, database server URL) and stops what it started."""
    kafka = pg = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    db_base = os.environ.get("LANDGRADE_DATABASE_URL")
    try:
        if not db_base:
            pg = PostgresServer(state / "pgdata", port=pg_port)
            pg.start()
            db_base = pg.url()
        if not bootstrap:
            # KAFKA_NODES=3: a cluster of combined nodes on kafka_port, +2, +4 (topics as in production).
            kafka = local_kafka(state / "kafka", kafka_nodes(), port=kafka_port, controller_port=controller_port)
            kafka.start()
            bootstrap = kafka.bootstrap_servers
        yield bootstrap, db_base
    finally:
        if kafka is not None:
            kafka.stop()
        if pg is not None:
            pg.stop()


def start_service(spec: ServiceSpec, bootstrap: str, db_base: str, port: int | None = None,
                  extra_env: dict[str, str] | None = None, log_dir: Path | None = None) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "SERVICE_NAME": spec.name,
        "HTTP_PORT": str(port or spec.port),
        "DATABASE_URL": database_url(db_base, spec.database),
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
    } | (extra_env or {})
    out = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        out = (log_dir / f"{spec.name}.log").open("ab")
    return subprocess.Popen([sys.executable,  # nosec B603  # this interpreter, a module from code
                             "-c", f"from {spec.module} import main; main()"],
                            env=env, stdout=out, stderr=subprocess.STDOUT if out else None)


def wait_ready(url: str, timeout: float = 120.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url}/readyz did not answer ready within {timeout:.0f}s")


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()


def run(seed: bool = True) -> None:
    state = ROOT / ".local"
    print("Starting PostgreSQL and Kafka (first run fetches the Kafka broker with Maven) ...", flush=True)
    with infrastructure(state) as (bootstrap, db_base):
        processes = [start_service(s, bootstrap, db_base, log_dir=state / "logs") for s in SERVICES]
        try:
            for spec, process in zip(SERVICES, processes, strict=True):
                wait_ready(f"http://127.0.0.1:{spec.port}", process=process)
            if seed:
                _seed(lambda env: _restart(processes, _index("enforcement"), bootstrap, db_base, state, env))
            processes.append(_start_console(bootstrap, db_base, state))
            wait_ready(f"http://127.0.0.1:{CONSOLE.port}", process=processes[-1])
            _print_banner(bootstrap, state)
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            print("A service exited; see its log in .local/logs.", flush=True)
        except KeyboardInterrupt:
            pass
        finally:
            print("\nStopping services, Kafka and PostgreSQL ...", flush=True)
            stop_processes(processes)


def _seed(restart_enforcement: Callable[[dict[str, str]], None]) -> None:
    try:
        from landgrade.demo.loader import seed_if_empty
    except ImportError:
        return
    seed_if_empty(restart_enforcement=restart_enforcement)


def _index(name: str) -> int:
    return next(i for i, spec in enumerate(SERVICES) if spec.name == name)


def _restart(processes: list[subprocess.Popen[bytes]], index: int, bootstrap: str, db_base: str, state: Path,
             env: dict[str, str]) -> None:
    """Stops the service at `index` and starts it again with `env` (the demo loads enforcement's
    history on an earlier day's clock, then brings it back to today)."""
    spec = SERVICES[index]
    stop_processes([processes[index]])
    processes[index] = start_service(spec, bootstrap, db_base, extra_env=env, log_dir=state / "logs")
    wait_ready(f"http://127.0.0.1:{spec.port}", process=processes[index])


# The console (web pages over the four services' APIs): no database, its own accounts file.
CONSOLE = ServiceSpec("console", "console.bootstrap", 8005)


def _start_console(bootstrap: str, db_base: str, state: Path) -> subprocess.Popen[bytes]:
    from console.accounts import ensure_demo_accounts

    accounts = state / "console-accounts.json"
    ensure_demo_accounts(accounts, f"http://127.0.0.1:{SERVICES[0].port}")
    return start_service(CONSOLE, bootstrap, db_base, log_dir=state / "logs",
                         extra_env={"ACCOUNTS_FILE": str(accounts)})


def _print_banner(bootstrap: str, state: Path) -> None:
    print("\nlandgrade is running. Ctrl-C stops everything.\n")
    for spec in SERVICES:
        print(f"  {spec.name:16} http://127.0.0.1:{spec.port}   API docs: http://127.0.0.1:{spec.port}/docs")
    print(f"  {CONSOLE.name:16} http://127.0.0.1:{CONSOLE.port}   sign in as land-staff / landgrade "
          "(accounts: .venv/bin/python -m console.accounts list)")
    print(f"  {'kafka':16} {bootstrap}")
    print(f"  logs             {state / 'logs'}\n")
    from landgrade.cli.common import now

    last = now().year - 1  # published for objections by the demo; the year before it is final
    print("  Try it (see README.md, 'Integrating'):")
    print("    ADMIN=$(.venv/bin/landgrade token --role admin)")
    print(f'    curl -s "http://127.0.0.1:8002/v1/grades/summary?year={last}" -H "Authorization: Bearer $ADMIN"')
    print('    curl -s "http://127.0.0.1:8004/v1/cases?kind=enforcement" -H "Authorization: Bearer $ADMIN"')
    print(f'    curl -s "http://127.0.0.1:8003/v1/public/quality-holders?year={last - 1}"\n', flush=True)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupt)
    run(seed="--no-seed" not in sys.argv)
