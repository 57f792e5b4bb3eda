"""A D grade reaches its holder as an e-mail notice, caught here by a local SMTP server."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from landgrade.testing import eventually, free_port, token
from landgrade_events.evaluation import YearPublished

from .conftest import ref, running_world, uscc

pytestmark = pytest.mark.infra


class Mailbox:
    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 OK"


async def test_a_d_grade_sends_the_holder_a_notice_in_chinese(make_settings: Any, infra: Any) -> None:
    mailbox, port = Mailbox(), free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        async with running_world(make_settings, infra, notice_smtp_host="127.0.0.1", notice_smtp_port=port,
                                 notice_send_interval_seconds=0.2) as world:
            holder, parcel = uscc(), ref("P")
            await world.enterprise(holder, "亦庄违规用地有限公司")
            portal = token("credit:repair", uscc=holder, subject="enterprise-portal")
            registered = await world.client.put(f"/v1/notice-contacts/{holder}", headers=portal,
                                                json={"email": "landuse@weigui.example.cn"})
            assert registered.status_code == 200, registered.text
            other = await world.client.put(f"/v1/notice-contacts/{uscc()}", headers=portal,
                                           json={"email": "x@y.cn"})
            assert other.status_code == 403  # an enterprise registers its own address only

            await world.graded_and_applied(world.graded(parcel, holder, "D", status="provisional", year=2025))

            async def delivered() -> list[EmailMessage]:
                return [m for m in mailbox.received if parcel in str(m["Subject"])]

            [mail] = await eventually(delivered)
            assert mail["To"] == "landuse@weigui.example.cn" and "D 类" in str(mail["Subject"])
            body = mail.get_body().get_content()  # type: ignore[union-attr]
            for part in ("发生了什么", "原因", "可以做什么", "期限"):
                assert part in body, part

            async def listed() -> dict[str, Any] | None:
                page = (await world.client.get("/v1/notices", params={"recipient": holder}, headers=portal)).json()
                return page if page["items"] and page["items"][0]["delivered"] else None

            page = await eventually(listed)
            [notice] = page["items"]
            assert (notice["kind"], notice["parcel_id"], notice["channel"]) == ("graded_d", parcel, "email")
            refused = await world.client.get("/v1/notices", params={"recipient": uscc()}, headers=portal)
            assert refused.status_code == 403

            # The year published (公示): the holder hears of its grade and of the day objections close.
            await world.publish(YearPublished(
                run_id=ref("run"), year=2025, ruleset_id="etown-2025", published_at=datetime(2026, 3, 2, 1, tzinfo=UTC),
                objection_window_days=10, objection_last_day=date(2026, 3, 16),
                objection_deadline=datetime(2026, 3, 16, 16, tzinfo=UTC)))

            async def window_notice() -> list[EmailMessage]:
                return [m for m in mailbox.received if "异议期至 2026-03-16" in str(m["Subject"])]

            [window] = await eventually(window_notice)
            assert window["To"] == "landuse@weigui.example.cn"
            assert f"地块 {parcel}：D 类" in window.get_body().get_content()  # type: ignore[union-attr]
    finally:
        smtp.stop()
