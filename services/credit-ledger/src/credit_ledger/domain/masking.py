"""Masking of personal data in reads by anyone but `admin`.

A responsible person's name keeps its first character (enough to tell two people apart in one
file, not enough to identify them); the opaque person token is not personal data by itself — it
is a keyed hash issued upstream — so it stays, letting a reader see that two enterprises share a
person without learning who.
"""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)
