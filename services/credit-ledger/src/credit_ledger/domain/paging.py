"""The public list's cursor (`after` in, `next` out): the last holder's USCC and parcel id, the
list's order, as text a client passes back without reading it.

A page continues strictly after the key it was given, so a holder listed meanwhile is neither
skipped nor repeated among those that were already there. Every text the pattern admits is a
position in the order, so a well-formed cursor is never refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from landgrade_reference.text import BLANKS

# A USCC's 18 characters, then a parcel id (no blanks, control characters or / \ ? # %).
HOLDER_CURSOR_PATTERN = rf"^[0-9A-Z]{{18}}~[^{BLANKS}\x00-\x1f\x7f/\\?#%]{{1,64}}$"


@dataclass(frozen=True)
class HolderCursor:
    uscc: str
    parcel_id: str

    def text(self) -> str:
        return f"{self.uscc}~{self.parcel_id}"

    @classmethod
    def parse(cls, text: str) -> HolderCursor:
        """A cursor from text matching HOLDER_CURSOR_PATTERN (ValueError otherwise)."""
        uscc, sep, parcel_id = text[:18], text[18:19], text[19:]
        if sep != "~" or not parcel_id or len(uscc) != 18 or not (uscc.isascii() and uscc.isalnum()):
            raise ValueError("not a cursor")
        return cls(uscc, parcel_id)
