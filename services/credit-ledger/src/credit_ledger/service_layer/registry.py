"""Keeps this service's own graph of enterprises, responsible persons and equity links.

Only enterprise shareholders become equity links: the policy's related parties are enterprises
linked by equity or by a shared responsible person, and a natural-person shareholder who is not
a responsible person is neither. Graph changes take effect at the next grading of a parcel: a
credit record states the relations as they were when it was written.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters import graph


async def on_enterprise_changed(
    session: AsyncSession, uscc: str, name: str, status: str,
    persons: list[tuple[str, str, str]], enterprise_shareholders: list[tuple[str, Decimal]],
) -> None:
    await graph.replace_enterprise(session, uscc, name, status, persons, enterprise_shareholders)
