"""Who a request or an event names, checked before anything is looked up (fail closed).

Every USCC entering the ledger goes through `landgrade_reference.uscc.parse_uscc` (NFKC, blanks
and dashes dropped, upper case, check character): one enterprise has one spelling here, and a
mistyped code is refused instead of being looked up and found "clear". A subject that is not a
USCC can only be a person token the ledger already holds, spelt exactly.
"""

from __future__ import annotations

import re
from typing import Any

from landgrade_reference.uscc import InvalidUscc, parse_uscc

# What a schema states of a USCC: the canonical form a generated client sends (the service also
# reads other spellings, `parse_uscc`), its check character named by `format: uscc`.
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
USCC_SCHEMA: dict[str, Any] = {"pattern": USCC_PATTERN, "format": "uscc", "minLength": 18, "maxLength": 18}
# A person token: a lower-case prefix, "_" or "-", then lower-case letters and digits (the
# registry's keyed hash `p_<hex>`). Such a token the ledger does not hold is unknown (404), not malformed.
PERSON_REF_PATTERN = r"^[a-z]{1,8}[_-][0-9a-z]{1,64}$"
PERSON_REF_SCHEMA: dict[str, Any] = {"type": "string", "pattern": PERSON_REF_PATTERN, "maxLength": 73}
# A subject of a credit file or repair: either form.
SUBJECT_SCHEMA: dict[str, Any] = {"oneOf": [{"type": "string", **USCC_SCHEMA}, PERSON_REF_SCHEMA]}


class InvalidIdentifier(ValueError):
    """`field` (in `where`: path, query or body) holds no valid USCC; `reasons` say why."""

    def __init__(self, field: str, where: str, reasons: list[str]) -> None:
        self.field, self.where, self.reasons = field, where, reasons
        super().__init__(f"{field} is not a valid USCC: {'; '.join(reasons)}")


class UnknownEnterprise(LookupError):
    """A well-formed USCC the ledger holds nothing about: never an answer that reads as clear."""

    def __init__(self, uscc: str) -> None:
        self.uscc = uscc
        super().__init__(uscc)


class UnknownSubject(LookupError):
    """A well-formed person token the ledger holds nothing about."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(ref)


def is_person_token(raw: str) -> bool:
    return re.fullmatch(PERSON_REF_PATTERN, raw) is not None


class NotYourEnterprise(PermissionError):
    """A token bound to one enterprise asked about another subject."""


def enterprise_uscc(raw: object, field: str = "uscc", where: str = "path") -> str:
    """The USCC as `parse_uscc` normalises it, or InvalidIdentifier naming the field."""
    try:
        return parse_uscc(raw)
    except InvalidUscc as bad:
        raise InvalidIdentifier(field, where, bad.reasons) from None


def as_uscc(raw: object) -> str | None:
    """The normalised USCC when `raw` is one; None otherwise (a person token, or a malformed code)."""
    try:
        return parse_uscc(raw)
    except InvalidUscc:
        return None


def acts_for(bound_to: str | None, subject: str) -> bool:
    """Whether a token bound to the enterprise `bound_to` (the token's own claim, any spelling) may
    act for `subject` (already normalised when it is a USCC). A malformed claim acts for nobody."""
    own = as_uscc(bound_to)
    return own is not None and own == subject
