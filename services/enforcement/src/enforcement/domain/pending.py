"""An inspection posted before the registry reported its parcel.

A parcel is registered in the land ledger a moment before this service hears of it (the
registry's event is on its way). An inspector on site must never lose a finding to that race, so
the inspection is kept as it was posted — the poster's area with it — and recorded when the
parcel's event arrives: then the parcel's street is known and checked against the poster's area
exactly as for a parcel known at once; an inspection outside the area is refused then, and stays
readable with the reason.

A parcel id that never arrives (mistyped, or a parcel never registered) must not leave the
inspection waiting for ever, read as "being handled": after the waiting period it expires, readable
with the reason, and the app may send it again (a new wait, from then).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from landgrade_reference.jurisdictions import same_jurisdiction

from .errors import OutsideJurisdiction
from .inspections import Inspection, ensure_in_jurisdiction


class PendingStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the registry to report the parcel
    REFUSED = "refused"  # the parcel arrived and lies outside the poster's area
    EXPIRED = "expired"  # the parcel did not arrive within the waiting period; may be sent again


def expiry_reason(days: int) -> str:
    """Why an inspection expired, Chinese first (as it is read back)."""
    return (f"登记簿 {days} 天内未报送该地块，检查记录未入账；请核对地块编号后重新提交 / "
            f"the land register did not report the parcel within {days} days; the inspection was not "
            "recorded: check the parcel id and send it again")


def expired_before(now: datetime, days: int) -> datetime:
    """Inspections received before this moment, still pending, have waited too long."""
    return now - timedelta(days=days)


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
