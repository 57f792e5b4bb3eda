"""What this service consumes: consumer (group) name → {event model: handler}. The names are
consumer group ids with committed offsets: they never change."""

from __future__ import annotations

from credit_ledger.service_layer import cases, grading, publication, registry
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from landgrade_events.enforcement import CaseChanged
from landgrade_events.evaluation import ParcelGraded, YearPublished
from landgrade_events.registry import EnterpriseChanged
from servicekit.inbox import Subscription

GRADES_CONSUMER, REGISTRY_CONSUMER, CASES_CONSUMER = "credit-ledger.grades", "credit-ledger.registry", \
    "credit-ledger.cases"

GRADES: Subscription[CreditLedgerUnitOfWork] = Subscription(
    GRADES_CONSUMER, {ParcelGraded: grading.on_parcels_graded, YearPublished: publication.on_years_published})

SUBSCRIPTIONS: list[Subscription[CreditLedgerUnitOfWork]] = [
    GRADES,
    GRADES.bulk_lane(),  # a year's grade events, apart from live ones
    Subscription(REGISTRY_CONSUMER, {EnterpriseChanged: registry.on_enterprises_changed}),
    Subscription(CASES_CONSUMER, {CaseChanged: cases.on_cases_changed}),
]
