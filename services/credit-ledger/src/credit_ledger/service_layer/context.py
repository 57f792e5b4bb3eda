"""What the credit ledger's handlers and routes need, assembled once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.rate_limits import ClientRateLimit
from credit_ledger.domain.disclosure import PublicListPolicy
from credit_ledger.domain.notices import NoticePolicy
from credit_ledger.domain.penetration import EquityRule, RelationsCounted
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from servicekit.uow import Storage


def _now() -> datetime:
    return datetime.now(UTC)


def _unobserved(intact: bool) -> None:
    return None


@dataclass(frozen=True)
class Context:
    storage: Storage
    # How often the chain head is anchored when records were appended since the last anchor.
    anchor_interval_seconds: float = 300.0
    # Requests each client address may make to the public (no sign-in) endpoints.
    public_rate_limit: ClientRateLimit = field(default_factory=lambda: ClientRateLimit("120/minute"))
    clock: Callable[[], datetime] = field(default=_now)
    # What the public list does with a holder whose A has since been called into question.
    public_list: PublicListPolicy = field(default_factory=PublicListPolicy)

    # Which equity links make a related party (penetration).
    equity_rule: EquityRule = field(default_factory=EquityRule)
    notice_policy: NoticePolicy = field(default_factory=NoticePolicy)
    # Which dated relations penetration walks for a graded year.
    relations_counted: RelationsCounted = RelationsCounted.ANY_DAY
    # Told the outcome of each verification of the hash chain (on request or periodic): the
    # metrics' hook, which alerting reads for a broken chain.
    ledger_verified: Callable[[bool], None] = field(default=_unobserved)

    def uow(self) -> CreditLedgerUnitOfWork:
        """A unit of work that opens and commits its own transaction."""
        return self._configured(CreditLedgerUnitOfWork(self.storage))

    def uow_on(self, session: AsyncSession) -> CreditLedgerUnitOfWork:
        """A unit of work joined to a transaction already open (a consumer's)."""
        return self._configured(CreditLedgerUnitOfWork(self.storage, session=session))

    def _configured(self, uow: CreditLedgerUnitOfWork) -> CreditLedgerUnitOfWork:
        uow.equity_rule, uow.notice_policy = self.equity_rule, self.notice_policy
        uow.relations_counted = self.relations_counted
        return uow
