"""Event consumers: grade events drive cases; registry events feed the parcel projection and tasks.

The consumer names are Kafka consumer-group ids with committed offsets: they never change.
"""

from __future__ import annotations

from enforcement.service_layer.cases import on_parcel_graded
from enforcement.service_layer.projections import on_lease_changed, on_parcel_changed, on_suspected_occupant
from enforcement.service_layer.unit_of_work import EnforcementUnitOfWork
from landgrade_events.evaluation import ParcelGraded
from landgrade_events.registry import LeaseChanged, ParcelChanged, SuspectedOccupant
from servicekit.inbox import Subscription

GRADES: Subscription[EnforcementUnitOfWork] = Subscription("enforcement-grades", {ParcelGraded: on_parcel_graded})

SUBSCRIPTIONS: list[Subscription[EnforcementUnitOfWork]] = [
    GRADES,
    GRADES.bulk_lane(),  # a year's grade events, apart from live ones
    Subscription("enforcement-registry", {ParcelChanged: on_parcel_changed,
                                          SuspectedOccupant: on_suspected_occupant,
                                          LeaseChanged: on_lease_changed}),
]
