"""Errors of the use cases that are not rule violations of the domain."""

from __future__ import annotations


class NotFound(Exception):
    """The addressed inspection, evidence or case does not exist (HTTP 404)."""


class Conflict(Exception):
    """The request contradicts what is already recorded (HTTP 409)."""

    def __init__(self, title: str, detail: str) -> None:
        self.title = title
        super().__init__(detail)
