"""What evaluation consumes: the registry's and enforcement's facts, each type to its handler."""

from __future__ import annotations

from evaluation.service_layer import facts
from evaluation.service_layer.unit_of_work import EvaluationUnitOfWork
from landgrade_events.enforcement import CaseChanged, FindingRecorded
from landgrade_events.registry import EnterpriseChanged, FilingAccepted, LeaseChanged, ParcelChanged
from servicekit.inbox import Subscription

# A consumer group id with committed offsets in production: never rename it.
CONSUMER = "evaluation-facts"

SUBSCRIPTIONS: list[Subscription[EvaluationUnitOfWork]] = [
    Subscription(CONSUMER, {
        ParcelChanged: facts.parcels_changed,
        LeaseChanged: facts.leases_changed,
        EnterpriseChanged: facts.enterprises_changed,
        FilingAccepted: facts.filings_accepted,
        FindingRecorded: facts.findings_recorded,
        CaseChanged: facts.cases_changed,
    }),
]
