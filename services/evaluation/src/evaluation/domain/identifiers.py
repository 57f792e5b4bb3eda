"""What an identifier entering evaluation must look like: parcel ids and USCCs, checked where
they come in (paths, query filters, bodies, events) so that nothing malformed is ever looked up,
stored or compared."""

from __future__ import annotations

import re
from typing import Any

from landgrade_reference.text import BLANKS
from landgrade_reference.uscc import InvalidUscc, normalise_uscc, parse_uscc

__all__ = ["BLANKS", "PARCEL_ID_PATTERN", "PARCEL_ID_REGEX", "PARCEL_ID_SCHEMA", "InvalidUscc", "NotYourParcel",
           "parcel_id_problem", "parse_uscc", "same_enterprise", "surrogate_path"]

PARCEL_ID_MAX = 64  # the width of every parcel_id column
# Parcel ids travel in URL paths and Kafka keys (as the registry issues them): no blanks (every
# character Python's `str.isspace` counts), control characters, or characters that change a URL's
# meaning — spelled out, so that every regex engine reads the schema's pattern as this check does.
_PARCEL_ID_EXCLUDED = rf"\x00-\x1f\x7f{BLANKS}/\\?#%"
# Nor lone surrogates (not valid UTF-8). They are no Unicode characters, so a schema's pattern
# cannot name them, and no JSON a client encodes carries one: the check alone refuses them.
_NOT_IN_PARCEL_ID = re.compile(f"[{_PARCEL_ID_EXCLUDED}\\ud800-\\udfff]")
# The same check as the schema states it (`parcel_id_problem` is the check itself).
PARCEL_ID_REGEX = f"[^{_PARCEL_ID_EXCLUDED}]{{1,{PARCEL_ID_MAX}}}"
PARCEL_ID_PATTERN = f"^{PARCEL_ID_REGEX}$"
PARCEL_ID_SCHEMA: dict[str, Any] = {"pattern": PARCEL_ID_PATTERN, "minLength": 1, "maxLength": PARCEL_ID_MAX}


def parcel_id_problem(value: object) -> str | None:
    """Why `value` is not a parcel id; None when it is one."""
    if not isinstance(value, str):
        return "must be text"
    if not value:
        return "must not be empty"
    if len(value) > PARCEL_ID_MAX:
        return f"is longer than {PARCEL_ID_MAX} characters"
    if _NOT_IN_PARCEL_ID.search(value):
        return "must not contain blanks, control characters, lone surrogates or / \\ ? # %"
    return None


class NotYourParcel(Exception):
    """A caller bound to an enterprise asked about a parcel that enterprise does not hold."""

    def __init__(self, parcel_id: str) -> None:
        super().__init__(parcel_id)
        self.parcel_id = parcel_id


def same_enterprise(stored: str | None, uscc: str) -> bool:
    """Whether a stored holder code names the (normalised) enterprise `uscc`; a missing one never does."""
    return bool(stored) and normalise_uscc(stored or "") == uscc


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def surrogate_path(value: object, path: str = "") -> str | None:
    """The dotted path of the first lone surrogate in a JSON value (in a key or a string), or None.
    A key holding one is named by its position, since the key itself cannot be written out."""
    if isinstance(value, str):
        return path if _has_surrogate(value) else None
    if isinstance(value, dict):
        for position, (key, item) in enumerate(value.items()):
            if isinstance(key, str) and _has_surrogate(key):
                return f"{path}.<key #{position + 1}>" if path else f"<key #{position + 1}>"
            found = surrogate_path(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = surrogate_path(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
