"""The credit ledger's unit of work: one transaction and the repositories that work in it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters.credit_reads_repository import CreditReadRepository
from credit_ledger.adapters.grades_repository import GradeRepository
from credit_ledger.adapters.graph_repository import GraphRepository
from credit_ledger.adapters.ledger_repository import LedgerRepository
from credit_ledger.adapters.notices_repository import NoticeRepository
from credit_ledger.adapters.register_repository import RegisterRepository
from credit_ledger.adapters.repairs_repository import RepairRepository
from credit_ledger.domain.notices import NoticePolicy
from credit_ledger.domain.penetration import EquityRule, RelationsCounted
from servicekit.uow import UnitOfWork


class CreditLedgerUnitOfWork(UnitOfWork):
    # Which equity links make a related party; it travels with the unit of work because an event
    # handler receives nothing else.
    equity_rule: EquityRule = EquityRule()
    notice_policy: NoticePolicy = NoticePolicy()
    relations_counted: RelationsCounted = RelationsCounted.ANY_DAY
    ledger: LedgerRepository
    graph: GraphRepository
    register: RegisterRepository
    grades: GradeRepository
    repairs: RepairRepository
    reads: CreditReadRepository
    notices: NoticeRepository

    def bind(self, session: AsyncSession) -> None:
        self.ledger = LedgerRepository(session)
        self.graph = GraphRepository(session)
        self.register = RegisterRepository(session)
        self.grades = GradeRepository(session)
        self.repairs = RepairRepository(session)
        self.reads = CreditReadRepository(session)
        self.notices = NoticeRepository(session)
