"""Cursors of the lists (`after` in, `next` out): the last row's ordering key, a moment and a unique
id, as text a client passes back without reading it.

A page continues strictly after the key it was given, so a row inserted meanwhile is neither
skipped nor repeated among the rows that were already there. Every text the pattern admits is a
position in the order, so a well-formed cursor is never refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Microseconds since 1970 (the database's precision: the key is exact), then the row's unique id.
CURSOR_PATTERN = r"^[0-9]{1,16}~[0-9A-Za-z-]{1,36}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Cursor:
    at: datetime
    key: str

    def text(self) -> str:
        return f"{(self.at - _EPOCH) // _MICROSECOND}~{self.key}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """A cursor from text matching CURSOR_PATTERN (ValueError otherwise)."""
        micros, sep, key = text.partition("~")
        if not sep or not (micros.isascii() and micros.isdigit()) or len(micros) > 16 or not key:
            raise ValueError("not a cursor")
        return cls(_EPOCH + int(micros) * _MICROSECOND, key)
