"""An inspection posted before the registry reported its parcel.

A parcel is registered in the land ledger a moment before this service hears of it (the
registry's event is on its way). An inspector on site must never lose a finding to that race, so
the inspection is kept as it was posted — the poster's area with it — and recorded when the
parcel's event arrives: then the parcel's street is known and checked against the poster's area
exactly as for a parcel known at once; an inspection outside the area is refused then, and stays
readable with the reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from landgrade_reference.jurisdictions import same_jurisdiction

from .errors import OutsideJurisdiction
from .inspections import Inspection, ensure_in_jurisdiction


class PendingStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the registry to report the parcel
    REFUSED = "refused"  # the parcel arrived and lies outside the poster's area


@dataclass(frozen=True)
class PendingInspection:
    inspection: Inspection
    jurisdiction: str | None  # the poster's area, checked when the parcel's street is known
    unrestricted: bool
    submitted_by: str
    received_at: datetime
    status: PendingStatus = PendingStatus.PENDING
    refusal: str | None = None

    def refusal_for(self, parcel_street: str) -> str | None:
        """Why the inspection cannot be recorded on a parcel in `parcel_street`, or None when it can."""
        if self.unrestricted:
            return None
        try:
            ensure_in_jurisdiction(self.jurisdiction, self.inspection.parcel_id, parcel_street)
        except OutsideJurisdiction as error:
            return str(error)
        return None

    def visible_to(self, area: str | None) -> bool:
        """A reader bound to an area sees the pending inspections posted from that area only."""
        return area is None or (self.jurisdiction is not None and same_jurisdiction(area, self.jurisdiction))
