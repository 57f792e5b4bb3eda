"""USCCs arriving in events are checked like those arriving over HTTP."""

from __future__ import annotations

from credit_ledger.domain.subjects import InvalidIdentifier, enterprise_uscc
from servicekit.inbox import PoisonEvent


def event_uscc(raw: object, field: str) -> str:
    """The USCC as `parse_uscc` normalises it; a malformed one can never be applied, so the event
    is poison (straight to the dead-letter topic) rather than recorded against a code nobody holds."""
    try:
        return enterprise_uscc(raw, field, "event")
    except InvalidIdentifier as bad:
        raise PoisonEvent(str(bad)) from None
