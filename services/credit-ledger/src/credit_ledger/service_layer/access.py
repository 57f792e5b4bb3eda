"""Tokens bound to an enterprise (`Principal.uscc`) act for that enterprise alone.

A caller whose token carries a `uscc` claim applies for repair and reads repair applications,
benefits and credit files of its own enterprise only; anything else is refused. Callers without
the claim keep the scope rules of their routes, and admin acts for every subject.
"""

from __future__ import annotations

from credit_ledger.domain.subjects import NotYourEnterprise, acts_for
from servicekit.auth import Principal


def ensure_acts_for(principal: Principal, subject: str) -> None:
    """Raises NotYourEnterprise when a token bound to an enterprise names another subject.
    `subject` is a USCC as `parse_uscc` normalised it, or a person token."""
    if principal.uscc is None or principal.is_admin:
        return
    if not acts_for(principal.uscc, subject):
        raise NotYourEnterprise(subject)


def ensure_unbound(principal: Principal) -> None:
    """Lists spanning many enterprises are not for a token bound to one of them."""
    if principal.uscc is not None and not principal.is_admin:
        raise NotYourEnterprise(principal.uscc)
