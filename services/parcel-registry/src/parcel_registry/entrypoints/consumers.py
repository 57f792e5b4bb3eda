"""What parcel-registry consumes: nothing. It is the source of the ledger's events (parcels,
enterprises, revenue) and reads no other service's."""

from __future__ import annotations

from typing import Any

from servicekit.inbox import Subscription

SUBSCRIPTIONS: list[Subscription[Any]] = []
