"""Infrastructure and service processes for the benchmarks, all on free loopback ports.

The benchmark starts its own PostgreSQL and Kafka (never those of `make run` or a test session),
starts services as separate processes the way `make run` does (uvicorn, one worker, uvloop), and
can wrap one of them in pyinstrument (`BENCH_PROFILE=<service>`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from landgrade.devstack.kafka import KafkaBroker
from landgrade.devstack.ports import free_port
from landgrade.devstack.postgres import PostgresServer
from landgrade.devstack.stack import SERVICES, ServiceSpec, database_url, stop_processes, wait_ready

ROOT = Path(__file__).resolve().parents[1]
SPECS = {s.name: s for s in SERVICES}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Infra:
    workdir: Path
    pg: PostgresServer
    kafka: KafkaBroker

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap_servers

    @property
    def db_base(self) -> str:
        return self.pg.url()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU used so far by PostgreSQL (postmaster, its live backends and those that have exited),
        Kafka and this process (the load generator). A backend that exits between two readings
        (a session the server ended, a pool's connection replaced) would otherwise take the CPU
        it used with it."""
        postmaster = int((self.pg.data_dir / "postmaster.pid").read_text().split()[0])
        pg = cpu_seconds(postmaster) + reaped_cpu_seconds(postmaster)
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    pg += cpu_seconds(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue  # a backend that just exited
        kafka = cpu_seconds(self.kafka.process.pid) if self.kafka.process else 0.0
        return {"postgres": pg, "kafka": kafka, "load-generator": cpu_seconds(os.getpid())}

    def dsn(self, database: str) -> str:
        """A plain libpq URL for asyncpg."""
        return f"postgresql://postgres@127.0.0.1:{self.pg.port}/{database}"


@contextmanager
def infrastructure(keep: bool = False) -> Iterator[Infra]:
    workdir = Path(tempfile.mkdtemp(prefix="landgrade-bench-"))
    pg = PostgresServer(workdir / "pg", port=free_port())
    kafka = KafkaBroker(workdir / "kafka", port=free_port(), controller_port=free_port())
    try:
        log(f"starting PostgreSQL and Kafka in {workdir}")
        pg.start()
        kafka.start()
        yield Infra(workdir, pg, kafka)
    finally:
        kafka.stop()
        pg.stop("immediate")
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Service:
    spec: ServiceSpec
    url: str
    process: subprocess.Popen[bytes]
    database: str
    profile: Path | None = None  # where bench.profiled writes its profile, if this one is profiled

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@dataclass
class Stack:
    services: dict[str, Service] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return self.services[name].url

    def pids(self) -> dict[str, int]:
        return {name: s.process.pid for name, s in self.services.items()}

    def stop(self) -> None:
        for service in self.services.values():
            if service.profile is not None and service.process.poll() is None:
                done = service.profile.with_suffix(".txt")
                done.unlink(missing_ok=True)
                service.process.send_signal(signal.SIGUSR1)
                for _ in range(600):
                    if done.exists():
                        break
                    time.sleep(0.1)
                log(f"profile of {service.spec.name}: {done}")
        stop_processes([s.process for s in self.services.values()])


def start_services(infra: Infra, names: list[str], tag: str, env: dict[str, str] | None = None,
                   profile_dir: Path | None = None) -> Stack:
    """Starts `names` with fresh databases `bench_<tag>_<service>` and consumer groups of their own."""
    stack = Stack()
    profiled = {n.strip() for n in os.environ.get("BENCH_PROFILE", "").split(",") if n.strip()}
    try:
        for name in names:
            spec = SPECS[name]
            port = free_port()
            database = f"bench_{tag}_{spec.database}"
            service_env = os.environ | {
                "SERVICE_NAME": spec.name, "HTTP_PORT": str(port),
                "DATABASE_URL": database_url(infra.db_base, database),
                "KAFKA_BOOTSTRAP_SERVERS": infra.bootstrap,
                "KAFKA_CONSUMER_GROUP_PREFIX": f"bench-{tag}",
                "EVIDENCE_DIR": str(infra.workdir / "evidence"),
            } | (env or {})
            command = [sys.executable, "-c", f"from {spec.module} import main; main()"]
            profile = None
            if name in profiled and profile_dir is not None:
                profile = profile_dir / f"profile-{tag}-{name}"
                command = [sys.executable, "-m", "bench.profiled", spec.module, str(profile)]
                log(f"profiling {name} with pyinstrument -> {profile}.txt / .html")
            logs = infra.workdir / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            output = (logs / f"{tag}-{name}.log").open("ab")
            process = subprocess.Popen(command, env=service_env, stdout=output, stderr=subprocess.STDOUT,
                                       cwd=ROOT)
            stack.services[name] = Service(spec, f"http://127.0.0.1:{port}", process, database, profile)
        for service in stack.services.values():
            wait_ready(service.url, timeout=120, process=service.process)
    except BaseException:
        stack.stop()
        raise
    return stack


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def peak_rss_bytes(pid: int) -> int:
    """The most the process has held resident since it started (the kernel's high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU used so far by each thread of a process, summed by thread name ("main" for the thread
    the event loop runs on): what a main-thread profiler does not see (exporters, driver threads)."""
    by_name: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # a thread that just ended
        name = "main" if task.name == str(pid) else stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        by_name[name] = by_name.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return by_name


def reaped_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the children a process has waited for (those that exited)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def stack_cpu_seconds(infra: Infra, services: dict[str, int]) -> dict[str, float]:
    """CPU used so far by each of these service processes, PostgreSQL, Kafka and the load generator."""
    return {name: cpu_seconds(pid) for name, pid in services.items()} | infra.cpu_seconds()


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each name used between two readings (one absent before counts whole)."""
    return {name: after[name] - before.get(name, 0.0) for name in after}


def ms_per(used: dict[str, float], count: int, digits: int = 2) -> dict[str, float]:
    """CPU milliseconds per unit of work (per filing, say), by name."""
    return {name: round(1000 * seconds / max(1, count), digits) for name, seconds in used.items()}


async def reset_topics(bootstrap: str) -> None:
    """Deletes the landgrade topics between sections, so a section's services never replay the
    events an earlier section left on the broker (they read from the earliest offset)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t.startswith("landgrade.")]
        if topics:
            await admin.delete_topics(topics)
            for _ in range(100):
                if not {t for t in await admin.list_topics() if t.startswith("landgrade.")}:
                    break
                await asyncio.sleep(0.2)
    finally:
        await admin.close()
