"""Event consumers: translate the other services' contracts into this service's handlers."""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.domain.grades import Grade, GradeFact, GradeStatus
from credit_ledger.domain.records import CaseFact
from credit_ledger.service_layer import cases, grading, registry
from landgrade_events.enforcement import CASES, CaseChanged
from landgrade_events.evaluation import GRADES, ParcelGraded
from landgrade_events.registry import ENTERPRISES, EnterpriseChanged
from servicekit.events import CloudEvent
from servicekit.inbox import BatchHandler, Delivery, Handler, PoisonEvent
from servicekit.outbox import Outbox

GRADES_CONSUMER, REGISTRY_CONSUMER, CASES_CONSUMER = "credit-ledger.grades", "credit-ledger.registry", \
    "credit-ledger.cases"
TOPICS = {GRADES_CONSUMER: [GRADES], REGISTRY_CONSUMER: [ENTERPRISES], CASES_CONSUMER: [CASES]}


M = TypeVar("M", ParcelGraded, EnterpriseChanged, CaseChanged)


def _unwrap(event: CloudEvent, model: type[M]) -> M:
    try:
        return event.unwrap(model)
    except ValidationError as error:
        raise PoisonEvent(f"{event.type} does not match its contract: {error}") from error


def grade_fact(graded: ParcelGraded) -> GradeFact:
    return GradeFact(
        evaluation_id=graded.evaluation_id, parcel_id=graded.parcel_id, holder_uscc=graded.holder_uscc,
        grade=Grade(graded.grade), status=GradeStatus(graded.status), year=graded.year,
        ruleset_version=graded.ruleset_id, reasons=tuple(f"{r.text_en} [{r.clause}]" for r in graded.reasons),
        graded_at=graded.evaluated_at,
    )


def handlers(outbox: Outbox) -> dict[str, dict[str, Handler]]:
    """Handlers per consumer name; each runs in the consumer's transaction (with its inbox row)."""

    async def on_graded(session: AsyncSession, event: CloudEvent) -> None:
        await grading.on_parcel_graded(session, outbox, grade_fact(_unwrap(event, ParcelGraded)))

    async def on_enterprise(session: AsyncSession, event: CloudEvent) -> None:
        changed = _unwrap(event, EnterpriseChanged)
        await registry.on_enterprise_changed(
            session, changed.uscc, changed.name, changed.status,
            [(p.person_ref, p.name, p.role) for p in changed.responsible_persons],
            [(s.uscc, s.share) for s in changed.shareholders if s.kind == "enterprise" and s.uscc],
        )

    async def on_case(session: AsyncSession, event: CloudEvent) -> None:
        changed = _unwrap(event, CaseChanged)
        await cases.on_case_changed(session, outbox, CaseFact(
            case_id=changed.case_id, case_kind=changed.kind, state=changed.state, parcel_id=changed.parcel_id,
            holder_uscc=changed.holder_uscc or "", occurred_at=changed.at, note=changed.reason,
        ))

    return {
        GRADES_CONSUMER: {ParcelGraded.TYPE: on_graded},
        REGISTRY_CONSUMER: {EnterpriseChanged.TYPE: on_enterprise},
        CASES_CONSUMER: {CaseChanged.TYPE: on_case},
    }


def batch_handlers(outbox: Outbox) -> dict[str, dict[str, BatchHandler]]:
    """Runs of grade events (most of the traffic) applied at once, with the same effects."""

    async def on_graded_run(session: AsyncSession, deliveries: list[Delivery]) -> None:
        await grading.on_parcels_graded(
            session, outbox, [(grade_fact(_unwrap(d.event, ParcelGraded)), d) for d in deliveries])

    return {GRADES_CONSUMER: {ParcelGraded.TYPE: on_graded_run}}
