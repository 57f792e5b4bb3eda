"""Published by parcel-registry. Parcel and lease events carry the whole current state of the
aggregate, so a projection can simply upsert the latest one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from servicekit.events import EventData

PARCELS = "landgrade.registry.parcels.v1"
ENTERPRISES = "landgrade.registry.enterprises.v1"
REVENUE = "landgrade.registry.revenue.v1"

Category = Literal["self_use", "approved_park", "renewal_park"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Commitment(_Part):
    """Yearly economic commitment from the entry agreement / land-transfer contract."""
    year: int | None = None  # None: applies to every year (from from_year on, when that is set)
    output_value: Decimal
    tax_paid: Decimal
    # The span the registry recorded (additive): a bounded span is also sent as one entry per year.
    from_year: int | None = None
    to_year: int | None = None


class Deadline(_Part):
    kind: str  # e.g. production_start
    due: date
    met_on: date | None = None


class Flag(_Part):
    kind: Literal["litigation", "abandoned", "residential_conversion"]
    since: date
    source: str
    cleared_on: date | None = None


class HolderPeriod(_Part):
    """One holder of a parcel's land-use right and the days it held it.

    `valid_from` is the first day held, inclusive (null: since the parcel was first recorded, no
    earlier holder known). `valid_to` is the first day *not* held, exclusive — the `valid_from`
    of the next period, the day a transfer (转让) took effect — null while the holder still holds
    it. Periods come oldest first and meet without gap or overlap; the last one's `uscc` equals
    `holder_uscc`. `document_ref` names the act that began the period (e.g. 不动产权证号), empty
    for the first. The holder on day D is the `uscc` of the period with
    `valid_from <= D < valid_to` (null bounds open); a day before the first period has the first
    period's holder.
    """
    uscc: str
    valid_from: date | None = None
    valid_to: date | None = None
    document_ref: str = ""


class ParcelChanged(EventData):
    """The whole current state of a parcel. `holders` (additive; absent in events sent before it
    existed, read then as one open period of `holder_uscc`) dates the holders: grading year Y
    takes the holder(s) whose periods cover days of Y, not `holder_uscc`.

    Lineage (additive; absent in earlier events, read then as none): `predecessors` are the
    parcels this one was split (分宗) or merged (合宗) from; `ended_on` is the first day the parcel
    no longer exists as such (split, merged, or its right ended: 收回), `ended_by` says which, and
    `successors` are the parcels that took its land (none after 收回). A successor's first holder
    period begins on the day of the act. An ended parcel is graded for no year after the one it
    ended in, a successor for no year before the act; a successor's grade history reads across to
    its predecessors'."""
    TYPE: ClassVar[str] = "landgrade.registry.parcel_changed.v1"
    TOPIC: ClassVar[str] = PARCELS
    parcel_id: str
    name: str
    street: str
    category: Category
    area_m2: Decimal
    holder_uscc: str
    commitments: list[Commitment] = []
    deadlines: list[Deadline] = []
    flags: list[Flag] = []
    version: int = 1
    holders: list[HolderPeriod] | None = None
    predecessors: list[str] = []
    ended_on: date | None = None
    ended_by: Literal["split", "merge", "end_of_right"] | None = None
    successors: list[str] = []

    def key(self) -> str:
        return self.parcel_id


class LeaseChanged(EventData):
    TYPE: ClassVar[str] = "landgrade.registry.lease_changed.v1"
    TOPIC: ClassVar[str] = PARCELS
    parcel_id: str
    lease_id: str
    tenant_uscc: str
    area_m2: Decimal
    start: date | None = None
    end: date | None = None
    approved: bool
    approval_ref: str | None = None
    approval_date: date | None = None
    equity_linked: bool  # derived by the registry from shareholdings, never typed in

    def key(self) -> str:
        return self.parcel_id


class SuspectedOccupant(EventData):
    """An enterprise occupying a parcel without approval, for the street office to inspect: it
    filed revenue on a parcel it neither holds nor rents with approval (`filing_id` names the
    filing), or a lease of it was registered or changed without approval (`lease_id`, additive,
    names the lease; `filing_id` is then empty). `year` is the filing's year, or the year the
    lease begins. `reason` is Chinese text fit to show the street office."""
    TYPE: ClassVar[str] = "landgrade.registry.suspected_occupant.v1"
    TOPIC: ClassVar[str] = PARCELS
    parcel_id: str
    street: str
    uscc: str
    filing_id: str = ""
    year: int
    reason: str
    lease_id: str | None = None

    def key(self) -> str:
        return self.parcel_id


class ResponsiblePersonRef(_Part):
    person_ref: str  # keyed hash of the ID number: stable, not reversible; never the number itself
    name: str
    role: str


class Shareholder(_Part):
    kind: Literal["enterprise", "person"]
    uscc: str | None = None
    person_ref: str | None = None
    name: str | None = None
    share: Decimal


class EnterpriseChanged(EventData):
    """An enterprise's whole current state. `effective_on` (additive; absent in events sent before
    it existed, read then as the day of the event's `time`, Beijing) is the day this state took
    effect: persons and enterprise shareholders it no longer names were related up to that day
    (exclusive), ones it adds from it, so penetration for a year walks the relations of that year."""
    TYPE: ClassVar[str] = "landgrade.registry.enterprise_changed.v1"
    TOPIC: ClassVar[str] = ENTERPRISES
    effective_on: date | None = None
    uscc: str
    name: str
    status: str
    responsible_persons: list[ResponsiblePersonRef] = []
    shareholders: list[Shareholder] = []

    def key(self) -> str:
        return self.uscc


class FilingAccepted(EventData):
    """One filing (or revision) attributed to one parcel, with that parcel-year's totals after it.

    `counted` is false when the filer is neither holder nor approved tenant (suspected occupant).
    The totals cover the holder and approved tenants only; consumers may just keep the latest.
    `parcel_year_contributors` names the enterprises those totals sum, so the latest event says
    who contributes after a correction moved money away; events sent before it existed lack it.
    """
    TYPE: ClassVar[str] = "landgrade.registry.filing_accepted.v1"
    TOPIC: ClassVar[str] = REVENUE
    filing_id: str
    revision: int
    uscc: str
    parcel_id: str
    year: int
    quarter: int | None = None
    attributed_output: Decimal
    attributed_tax: Decimal
    counted: bool
    parcel_year_output: Decimal
    parcel_year_tax: Decimal
    parcel_year_filings: int
    parcel_year_contributors: list[str] | None = None

    def key(self) -> str:
        return self.parcel_id
