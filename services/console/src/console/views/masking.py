"""Personal data on pages: the services mask ID numbers for everyone but `admin`; the console
masks again whatever reaches a page for anyone else, so a page never shows an ID number even if
an answer carried one."""

from __future__ import annotations

from typing import Any

from servicekit.logging import redact


def masked(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    return value
