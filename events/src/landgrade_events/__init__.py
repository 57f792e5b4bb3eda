"""Event contracts between the landgrade services and outside subscribers.

Each module belongs to the service that publishes it. Schemas grow additively within `v1`;
a breaking change is a new `v2` topic. `ALL_EVENTS` feeds contract generation.
"""

from landgrade_events.credit import BenefitChanged, CreditRecordAppended, LedgerAnchored
from landgrade_events.enforcement import CaseChanged, CaseOverdue, FindingRecorded
from landgrade_events.evaluation import ParcelGraded, WarningChanged, YearPublished
from landgrade_events.registry import (
    EnterpriseChanged,
    FilingAccepted,
    LeaseChanged,
    ParcelChanged,
    SuspectedOccupant,
)
from servicekit.events import EventData

ALL_EVENTS: list[type[EventData]] = [
    ParcelChanged, LeaseChanged, SuspectedOccupant, EnterpriseChanged, FilingAccepted,
    ParcelGraded, WarningChanged, YearPublished,
    FindingRecorded, CaseChanged, CaseOverdue,
    CreditRecordAppended, BenefitChanged, LedgerAnchored,
]

__all__ = [e.__name__ for e in ALL_EVENTS] + ["ALL_EVENTS"]
