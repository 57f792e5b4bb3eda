"""Delivering notices written through an outbox: the channels (e-mail over SMTP; SMS and government
messaging (政务消息) as adapters still to be connected, which refuse, saying so, rather than
pretend), the channel chosen in the settings, and the round that sends the waiting ones.

A service writes each notice in the transaction of the fact that causes it; the sender takes the
waiting ones in order, locked (`SKIP LOCKED`: replicas share the work, no notice goes out twice at
once), and marks each sent, or counts the failed attempt and gives up after `max_attempts`. A crash
between the channel accepting a notice and the commit sends it once more: delivery is at least once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Literal, Protocol

import aiosmtplib
from pydantic import Field

from servicekit.logging import get_logger
from servicekit.runtime import Job
from servicekit.settings import ServiceSettings


@dataclass(frozen=True)
class Contact:
    """Where a recipient (an enterprise, a street office) is reached."""

    email: str | None
    phone: str | None


class NotDelivered(Exception):
    """The channel could not deliver (not configured, no address, the server refused); the notice
    stays pending and is tried again."""


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    async def send(self, contact: Contact | None, recipient: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class SmtpChannel:
    host: str | None
    port: int = 25
    sender: str = "noreply@landgrade.example"
    username: str | None = None
    password: str | None = None
    start_tls: bool = False
    timeout_seconds: float = 10.0
    name: str = "email"

    async def send(self, contact: Contact | None, recipient: str, subject: str, body: str) -> None:
        if not self.host:
            raise NotDelivered("邮件通道未配置（NOTICE_SMTP_HOST） / e-mail channel not configured")
        if contact is None or not contact.email:
            raise NotDelivered(f"{recipient} 未登记电子邮箱 / no e-mail address registered for {recipient}")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, contact.email, subject
        message.set_content(body, charset="utf-8")
        try:
            await aiosmtplib.send(message, hostname=self.host, port=self.port, username=self.username,
                                  password=self.password, start_tls=self.start_tls, timeout=self.timeout_seconds)
        except (aiosmtplib.SMTPException, OSError) as error:
            raise NotDelivered(f"邮件发送失败 / SMTP delivery failed: {error}") from error


@dataclass(frozen=True)
class SmsChannel:
    name: str = "sms"

    async def send(self, contact: Contact | None, recipient: str, subject: str, body: str) -> None:
        raise NotDelivered("短信通道未配置：尚未接入短信网关 / SMS channel not configured: no gateway connected")


@dataclass(frozen=True)
class GovMessagingChannel:
    name: str = "gov"

    async def send(self, contact: Contact | None, recipient: str, subject: str, body: str) -> None:
        raise NotDelivered("政务消息通道未配置：尚未接入政务服务平台 / government messaging channel not configured")


class NoticeSettings(ServiceSettings):
    """The settings of a service that sends notices (the same names in every such service)."""

    # Notices go out through one channel: "smtp" (e-mail, to the address each recipient registers);
    # "sms" and "gov" (政务消息) are not connected yet and refuse, so their notices wait (pending,
    # with the reason).
    notice_channel: Literal["smtp", "sms", "gov"] = "smtp"
    notice_smtp_host: str | None = None  # unset: e-mail is not configured and notices wait
    notice_smtp_port: int = Field(default=25, ge=1, le=65535)
    notice_smtp_sender: str = "noreply@landgrade.example"
    notice_smtp_username: str | None = None
    notice_smtp_password: str | None = None
    notice_smtp_start_tls: bool = False
    notice_send_interval_seconds: float = Field(default=5.0, gt=0)
    notice_max_attempts: int = Field(default=20, ge=1)

    def notice_channel_adapter(self) -> Channel:
        if self.notice_channel == "sms":
            return SmsChannel()
        if self.notice_channel == "gov":
            return GovMessagingChannel()
        return SmtpChannel(self.notice_smtp_host, self.notice_smtp_port, self.notice_smtp_sender,
                           self.notice_smtp_username, self.notice_smtp_password, self.notice_smtp_start_tls)


class DueNotice(Protocol):
    @property
    def notice_id(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def attempts(self) -> int: ...


class NoticeOutbox(Protocol):
    """What the sender needs of a service's notices table (its repository)."""

    async def due(self, limit: int) -> Sequence[tuple[int, DueNotice]]:
        """Notices waiting to be sent, oldest first, locked; another sender skips them meanwhile."""
        ...

    async def contact(self, recipient: str) -> Contact | None: ...

    async def sent(self, seq: int, channel: str, at: datetime) -> None: ...

    async def not_sent(self, seq: int, error: str, give_up: bool) -> None: ...


class NoticeUnitOfWork(AbstractAsyncContextManager[object], Protocol):
    @property
    def notices(self) -> NoticeOutbox: ...


async def send_due(uow: NoticeUnitOfWork, channel: Channel, clock: Callable[[], datetime],
                   max_attempts: int, batch: int = 50) -> int:
    """Sends the waiting notices, in one transaction; how many went out."""
    log, delivered = get_logger("notices"), 0
    async with uow:
        for seq, notice in await uow.notices.due(batch):
            contact = await uow.notices.contact(notice.recipient)
            try:
                await channel.send(contact, notice.recipient, notice.subject, notice.body)
            except NotDelivered as error:
                give_up = notice.attempts + 1 >= max_attempts
                await uow.notices.not_sent(seq, str(error), give_up)
                log.warning("notice_not_sent", notice_id=notice.notice_id, channel=channel.name,
                            error=str(error), gave_up=give_up)
                continue
            await uow.notices.sent(seq, channel.name, clock())
            delivered += 1
    return delivered


def sending_notices(uow: Callable[[], NoticeUnitOfWork], settings: NoticeSettings,
                    clock: Callable[[], datetime]) -> Job:
    """Delivers waiting notices every `notice_send_interval_seconds`; a failed round (database
    away) is logged and tried again next round."""
    channel, log = settings.notice_channel_adapter(), get_logger("notices")

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await send_due(uow(), channel, clock, settings.notice_max_attempts)
            except Exception as error:
                log.warning("notice_round_failed", error=repr(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.notice_send_interval_seconds)
            except TimeoutError:
                pass

    return run
