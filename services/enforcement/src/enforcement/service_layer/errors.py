"""Errors of the use cases that are not rule violations of the domain."""

from __future__ import annotations


class NotFound(Exception):
    """The addressed inspection, evidence or case does not exist (HTTP 404). `zh` says it in Chinese."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        self.zh = zh or message
        super().__init__(message)


class Conflict(Exception):
    """The request contradicts what is already recorded (HTTP 409); title and detail in English and
    Chinese."""

    def __init__(self, title: str, detail: str, *, title_zh: str, detail_zh: str) -> None:
        self.title, self.title_zh, self.detail_zh = title, title_zh, detail_zh
        super().__init__(detail)


class InspectionPending(Exception):
    """The inspection waits for the registry to report its parcel: evidence can be attached once it
    is recorded (HTTP 503 with Retry-After: a moment's wait, not a refusal)."""
