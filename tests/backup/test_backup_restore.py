"""Backups that restore: `landgrade backup` of a running stack with a filled credit ledger,
`landgrade restore` into a fresh PostgreSQL, the four services started on it. The credit ledger's
hash chain verifies to the same head, nothing applied before the backup is lost or applied again,
and the consumers resume from their stored offsets: one more filing has its effect exactly once."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from landgrade.cli import app as cli
from landgrade.devstack.ports import free_port
from landgrade.devstack.postgres import PostgresServer
from landgrade.devstack.stack import SERVICES, start_service, stop_processes, wait_ready
from landgrade.testing import Infra, eventually
from landgrade.testing_stack import Stack
from tests.e2e.outside import Outside, auth, new_person, new_uscc, quarterly

pytestmark = pytest.mark.e2e
YEAR = 2026  # graded provisionally only: no yearly run needed
STREET = "博兴街道"


@contextmanager
def services_on(server: PostgresServer, infra: Infra, prefix: str, logs: Path) -> Iterator[Stack]:
    """The four services on `server`'s databases (parcel_registry, ...), consumer groups `prefix.*`."""
    urls, processes = {}, []
    try:
        for spec in SERVICES:
            port = free_port()
            env = {"KAFKA_CONSUMER_GROUP_PREFIX": prefix, "ENVIRONMENT": "test", "OUTBOX_POLL_SECONDS": "0.02",
                   "EVIDENCE_DIR": str(logs / "evidence")}
            processes.append(start_service(spec, infra.bootstrap, server.url(), port=port, extra_env=env,
                                           log_dir=logs))
            urls[spec.name] = f"http://127.0.0.1:{port}"
        for spec, process in zip(SERVICES, processes, strict=True):
            wait_ready(urls[spec.name], timeout=300, process=process)  # a loaded CI machine is slow
        yield Stack(urls, infra.bootstrap, logs)
    finally:
        stop_processes(processes)


async def verified(o: Outside) -> dict[str, Any]:
    result: dict[str, Any] = await o.ok(await o.http.get(f"{o.stack.credit}/v1/ledger/verify",
                                                         headers=auth("credit-platform")))
    return result


async def grade_history(o: Outside, parcel_id: str) -> list[dict[str, Any]]:
    answer = await o.ok(await o.http.get(f"{o.stack.evaluation}/v1/parcels/{parcel_id}/grades",
                                         headers=auth("admin")))
    items: list[dict[str, Any]] = answer["items"] if isinstance(answer, dict) else answer
    return items


async def case_records(o: Outside, holder: str) -> list[dict[str, Any]]:
    return [r for r in (await o.credit_file(holder))["records"] if r["kind"] == "case"]


@dataclass
class Holding:
    """An enterprise and its parcel, graded B from four quarterly filings."""

    holder: str = field(default_factory=new_uscc)
    parcel: str = field(default_factory=lambda: f"BK-{uuid.uuid4().hex[:8]}")
    filings: list[dict[str, Any]] = field(default_factory=list)

    async def register(self, o: Outside) -> None:
        await o.enterprise(self.holder, f"北京亦庄备份测试制造有限公司{self.holder[-4:]}", new_person())
        await o.parcel(self.parcel, self.holder, street=STREET)
        self.filings = quarterly(self.holder, self.parcel, YEAR, D("30000000"), D("1500000"))
        await o.filings_batch(self.filings)
        await o.wait_grade(self.parcel, "B", YEAR)

    async def refused_lease(self, o: Outside) -> None:
        """A street office finds an unauthorised lease the holder refuses to correct: D, a case, a record."""
        finding = {"type": "unauthorised_lease", "tenant_uscc": new_uscc(), "holder_attitude": "refuses_to_correct",
                   "note": "备份测试"}
        assert (await o.inspect(STREET, self.parcel, [finding])).status_code in (200, 201)
        await o.wait_grade(self.parcel, "D", YEAR)

        async def recorded() -> list[dict[str, Any]] | None:
            found = await case_records(o, self.holder)
            return found or None

        await eventually(recorded, timeout=90)


def cli_ok(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, f"landgrade {' '.join(args)}: {result.output}"
    return result.output


async def snapshot(o: Outside, holdings: list[Holding]) -> dict[str, Any]:
    return {"verify": await verified(o),
            "records": {h.holder: (await o.credit_file(h.holder))["records"] for h in holdings},
            "grades": {h.parcel: await grade_history(o, h.parcel) for h in holdings}}


def test_backup_restores_a_verifiable_ledger_and_consumers_resume(infra: Infra, tmp_path: Path) -> None:
    source = PostgresServer(tmp_path / "pg-source", free_port())
    target = PostgresServer(tmp_path / "pg-target", free_port())
    prefix, backup = f"backup-{uuid.uuid4().hex[:8]}", tmp_path / "backup"
    first, second, later = Holding(), Holding(), Holding()
    holdings = [first, second, later]
    source.start()
    try:
        with services_on(source, infra, prefix, tmp_path / "logs-before") as stack:
            async def fill() -> dict[str, Any]:
                o = Outside(stack)
                for holding in holdings:
                    await holding.register(o)
                await first.refused_lease(o)
                await second.refused_lease(o)
                await asyncio.sleep(1.0)  # the last outbox rows go out: the backup is of a quiet stack
                return await snapshot(o, holdings)

            before = asyncio.run(fill())
            assert before["verify"]["ok"] and before["verify"]["checked"] >= 2
            cli_ok("backup", str(backup), "--server", source.url())  # while the services run
        manifest = json.loads((backup / "manifest.json").read_text())
        assert [d["database"] for d in manifest["databases"]] == [s.database for s in SERVICES]
    finally:
        source.stop("immediate")

    target.start()
    try:
        cli_ok("restore", str(backup), "--server", target.url())
        refused = CliRunner().invoke(cli, ["restore", str(backup), "--server", target.url()])
        assert refused.exit_code != 0 and "parcel_registry" in refused.output  # never over a filled database
        with services_on(target, infra, prefix, tmp_path / "logs-after") as stack:
            async def after_restore() -> tuple[dict[str, Any], dict[str, Any]]:
                o = Outside(stack)
                restored = await snapshot(o, holdings)
                # One more tax filing (Q4 corrected: the year above both thresholds, so A) and one
                # more finding, after the restore.
                q4 = later.filings[-1] | {"revision": 1, "output_value": "250000000", "tax_paid": "16000000"}
                revised = await o.filings_batch([q4])
                assert revised["revised"] == 1, revised
                await o.wait_grade(later.parcel, "A", YEAR)
                await later.refused_lease(o)
                await asyncio.sleep(3.0)  # time for a doubled effect to show, had there been one
                return restored, await snapshot(o, holdings)

            restored, after = asyncio.run(after_restore())
    finally:
        target.stop("immediate")

    # The chain verifies to the same head; every record and grading survived, none came twice.
    for key in ("ok", "checked", "head_sequence", "head_hash"):
        assert restored["verify"][key] == before["verify"][key], key
    assert restored["records"] == before["records"]
    assert restored["grades"] == before["grades"]
    # After the restore the consumers went on from their offsets: the earlier events were not
    # applied again, and each new one was applied exactly once.
    for holding in (first, second):
        assert after["records"][holding.holder] == before["records"][holding.holder]
        assert after["grades"][holding.parcel] == before["grades"][holding.parcel]
    new_grades = len(after["grades"][later.parcel]) - len(restored["grades"][later.parcel])
    assert new_grades == 2, after["grades"][later.parcel]  # the corrected filing's A, the finding's D
    new_records = [r for r in after["records"][later.holder] if r not in restored["records"][later.holder]]
    assert [r["kind"] for r in new_records] == ["case"], new_records  # the one case opened
    assert after["verify"]["ok"] and after["verify"]["checked"] == before["verify"]["checked"] + 1
