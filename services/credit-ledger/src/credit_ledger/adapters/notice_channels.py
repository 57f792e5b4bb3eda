"""The channels a notice is delivered through: e-mail over SMTP, and SMS and government messaging
(政务消息) as adapters still to be connected — they refuse, saying so, rather than pretend."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from credit_ledger.domain.notices import Contact


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
            raise NotDelivered(f"企业 {recipient} 未登记电子邮箱 / no e-mail address registered for {recipient}")
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
