"""A new inspection task reaches its street office as an e-mail notice, caught here by a local SMTP
server, on real Kafka and PostgreSQL; a repeated report writes no second notice, and a street
office reads its own notices only."""

from __future__ import annotations

import email
import uuid
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller

from enforcement.bootstrap import MIGRATIONS, build_app
from enforcement.settings import Settings
from landgrade.testing import eventually, free_port, serving, token
from landgrade_events.registry import SuspectedOccupant

from .conftest import Clock, Enforcement, uscc

pytestmark = pytest.mark.infra

RONGHUA = token("findings:write", jurisdiction="荣华街道", subject="ronghua-app")
BOXING = token("findings:write", jurisdiction="博兴街道", subject="boxing-app")
STAFF = token("cases:write", "cases:read", subject="officer-zhao")


class Mailbox:
    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
async def mailbox() -> AsyncIterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    smtp = Controller(box, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        yield box, port
    finally:
        smtp.stop()


@pytest.fixture
async def mailing(make_settings: Callable[..., Any], infra: Any, tmp_path: Any,
                  mailbox: tuple[Mailbox, int]) -> AsyncIterator[Enforcement]:
    settings = await make_settings(Settings, MIGRATIONS, evidence_dir=tmp_path / "evidence",
                                   notice_smtp_host="127.0.0.1", notice_smtp_port=mailbox[1],
                                   notice_send_interval_seconds=0.2)
    clock, producer = Clock(), AIOKafkaProducer(bootstrap_servers=infra.bootstrap)
    await producer.start()
    try:
        async with serving(build_app(settings, clock=clock)) as client:
            yield Enforcement(client, settings, clock, infra.bootstrap, producer)
    finally:
        await producer.stop()


async def test_a_new_task_is_mailed_to_its_street_office_once(mailing: Enforcement,
                                                               mailbox: tuple[Mailbox, int]) -> None:
    box, client = mailbox[0], mailing.client
    registered = await client.put("/v1/street-contacts/荣华街道", headers=STAFF,
                                  json={"email": "hecha@ronghua.example.gov.cn"})
    assert registered.status_code == 200, registered.text
    assert registered.json()["street"] == "ronghua"
    own = await client.put("/v1/street-contacts/ronghua", headers=RONGHUA, json={"email": "renwu@ronghua.example.cn"})
    assert own.status_code == 200, own.text  # a street office sets its own address
    other = await client.put("/v1/street-contacts/荣华街道", headers=BOXING, json={"email": "x@boxing.example.cn"})
    assert other.status_code == 403  # and no other street's
    unknown = await client.put("/v1/street-contacts/火星街道", headers=STAFF, json={"email": "x@y.cn"})
    assert unknown.status_code == 422 and unknown.json()["type"].endswith("/unknown-street")
    assert unknown.json()["errors"][0]["field"] == "street"

    parcel, occupant = await mailing.parcel(street="荣华街道"), uscc()
    report = SuspectedOccupant(parcel_id=parcel, street="荣华街道", uscc=occupant, filing_id=f"F-{uuid.uuid4()}",
                               year=2024, reason="files revenue on the parcel without an approved lease")
    await mailing.publish(report)

    async def mailed() -> list[EmailMessage]:
        return [m for m in box.received if parcel in str(m["Subject"])]

    [mail] = await eventually(mailed)
    assert mail["To"] == "renwu@ronghua.example.cn" and "新的核查任务" in str(mail["Subject"])
    body = mail.get_body().get_content()  # type: ignore[union-attr]
    for part in ("发生了什么", "原因", "需要做什么", "期限", occupant):
        assert part in body, part

    # A repeated report refreshes the open task and tells no one again.
    await mailing.publish(report.model_copy(update={"filing_id": f"F-{uuid.uuid4()}"}))

    async def refreshed() -> list[Any]:
        return await mailing.sql("SELECT 1 FROM inspection_tasks WHERE parcel_id = :p AND reports = 2", p=parcel)

    await eventually(refreshed)
    page = (await client.get("/v1/notices", headers=RONGHUA)).json()
    [notice] = [n for n in page["items"] if n["parcel_id"] == parcel]
    assert (page["recipient"], notice["kind"], notice["delivered"], notice["channel"]) == (
        "ronghua", "inspection_task", True, "email")
    assert notice["respond_by"] is None or notice["respond_by"] > notice["created_at"][:10]
    assert len(await mailed()) == 1
    assert len(await mailing.sql("SELECT 1 FROM notices WHERE parcel_id = :p", p=parcel)) == 1

    # Each street office reads its own notices; staff read one street's or every street's.
    refused = await client.get("/v1/notices", params={"recipient": "荣华街道"}, headers=BOXING)
    assert refused.status_code == 403
    boxing = (await client.get("/v1/notices", headers=BOXING)).json()
    assert boxing["recipient"] == "boxing" and boxing["items"] == []
    staff = (await client.get("/v1/notices", params={"recipient": "Ronghua"}, headers=token("cases:read"))).json()
    assert [n["notice_id"] for n in staff["items"]] == [notice["notice_id"]]
    everyone = (await client.get("/v1/notices", headers=token("cases:read"))).json()
    assert everyone["recipient"] is None and [n["recipient"] for n in everyone["items"]] == ["ronghua"]
