"""Random (version 4) UUIDs as text, for event, evaluation and case ids.

`str(uuid.uuid4())` builds a UUID object only to print it again; a yearly run makes two hundred
thousand ids, and that round trip was about a second of it. Same randomness source
(`os.urandom`), same format, same version and variant bits.
"""

from __future__ import annotations

import os

# The variant nibble: the two top bits set to 10 (RFC 9562), the other two random.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_id() -> str:
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
