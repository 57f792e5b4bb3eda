"""Acts that end parcels or make new ones: split (分宗), merge (合宗), end of right (收回), and the
change of use (变更用途). Each is recorded from the day it takes effect, with its document; the
ended parcels stay in the ledger, and the new ones name the parcels they came from, so history
reads across the act. Pure rules: the caller reads the ledger and writes what these return."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import ActConflict, DomainValidationError, FieldError, raise_if_any
from .holders import HolderPeriod
from .parcels import Ending, EndingAct, Parcel, ParcelCategory, ParcelFlag

SPLIT: EndingAct = "split"
MERGE: EndingAct = "merge"
END_OF_RIGHT: EndingAct = "end_of_right"

AT_LEAST_TWO = "must name at least two parcels"
DUPLICATE_ID = "parcel {parcel_id} is named more than once"
ID_IS_SOURCE = "parcel {parcel_id} is the parcel being split or merged"
ID_TAKEN = "parcel {parcel_id} is already in the ledger"
AREAS_DO_NOT_SUM = "the areas sum to {total} m², not the parcel's {area} m²"
ACT_NOT_IN_FUTURE = "must not be after today ({day}): an act is recorded once it has taken effect"
BEFORE_HOLDER = "must not be before the day the current holder's period began ({day})"
ENDED = "parcel {parcel_id} ended on {day} ({how}): an ended parcel takes no further act"
DIFFERENT = "the parcels differ in {what}: only parcels of one {what} are merged"

_HOW = {SPLIT: "split into {successors}", MERGE: "merged into {successors}", END_OF_RIGHT: "right ended"}


@dataclass(frozen=True)
class NewParcel:
    """A parcel an act creates: its own id, name and area; the rest comes from its source."""

    parcel_id: str
    name: str
    area_m2: Decimal
    address: str = ""
    geometry: Mapping[str, Any] | None = None


def ended_reason(parcel: Parcel) -> str | None:
    """Why the parcel takes no further act (None: it is in force)."""
    if parcel.ending is None:
        return None
    how = _HOW[parcel.ending.act].format(successors=", ".join(parcel.successors))
    return ENDED.format(parcel_id=parcel.parcel_id, day=parcel.ending.on, how=how)


def not_ended(parcel: Parcel, field: str = "parcel_id") -> None:
    """An ended parcel takes no act: a conflict with the ledger naming how and when it ended."""
    if (reason := ended_reason(parcel)) is not None:
        raise ActConflict([FieldError(field, reason)])


def _effective(parcel: Parcel, effective_on: date, today: date) -> None:
    if effective_on > today:
        raise DomainValidationError([FieldError("effective_on", ACT_NOT_IN_FUTURE.format(day=today))])
    start = parcel.holders[-1].valid_from if parcel.holders else None
    if start is not None and effective_on < start:
        raise ActConflict([FieldError("effective_on", BEFORE_HOLDER.format(day=start))])


def _new_ids(new: Sequence[NewParcel], sources: Collection[str], field: str) -> list[FieldError]:
    errors, seen = [], set()
    for i, child in enumerate(new):
        if child.parcel_id in sources:
            errors.append(FieldError(f"{field}[{i}].parcel_id", ID_IS_SOURCE.format(parcel_id=child.parcel_id)))
        elif child.parcel_id in seen:
            errors.append(FieldError(f"{field}[{i}].parcel_id", DUPLICATE_ID.format(parcel_id=child.parcel_id)))
        seen.add(child.parcel_id)
    return errors


def _taken(new: Sequence[NewParcel], in_ledger: Collection[str], field: str) -> None:
    """New ids must be new: a parcel id names one piece of land for good."""
    taken = [FieldError(f"{field}[{i}].parcel_id", ID_TAKEN.format(parcel_id=n.parcel_id))
             for i, n in enumerate(new) if n.parcel_id in in_ledger]
    if taken:
        raise ActConflict(taken)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _created(source: Parcel, new: NewParcel, predecessors: tuple[str, ...], effective_on: date,
             document_ref: str, flags: tuple[ParcelFlag, ...]) -> Parcel:
    """A new parcel on the source's street, category and holder, held from `effective_on`. The
    source's contract terms stay with the source's contract; its flags concern the land, so they
    go with it."""
    return Parcel(
        parcel_id=new.parcel_id, name=new.name, jurisdiction=source.jurisdiction, area_m2=new.area_m2,
        category=source.category, rights_holder=source.rights_holder, address=new.address,
        geometry=new.geometry, flags=flags,
        holders=(HolderPeriod(source.rights_holder, effective_on, None, document_ref),),
        predecessors=predecessors,
    )


def split_requested(parent: Parcel, children: Sequence[NewParcel], effective_on: date, document_ref: str) -> bool:
    """Whether the parent already ended by this very split (the same act sent again)."""
    return parent.ending == Ending(effective_on, SPLIT, document_ref, tuple(c.parcel_id for c in children))


def split(parent: Parcel, children: Sequence[NewParcel], effective_on: date, document_ref: str, today: date,
          in_ledger: Collection[str]) -> tuple[Parcel, list[Parcel]]:
    """分宗: the parent ends on `effective_on`, its successors the children, whose areas sum to the
    parent's exactly (the land neither grows nor shrinks by being divided). `in_ledger`: which of
    the children's ids the ledger already holds."""
    errors = [] if len(children) >= 2 else [FieldError("children", AT_LEAST_TWO)]
    errors += _new_ids(children, {parent.parcel_id}, "children")
    raise_if_any(errors)
    not_ended(parent)
    total = sum((c.area_m2 for c in children), Decimal(0))
    if total != parent.area_m2:  # weighed against the parcel on file: a conflict with the ledger
        raise ActConflict([FieldError("children[].area_m2",
                                      AREAS_DO_NOT_SUM.format(total=_plain(total), area=_plain(parent.area_m2)))])
    _effective(parent, effective_on, today)
    _taken(children, in_ledger, "children")
    ids = tuple(c.parcel_id for c in children)
    made = [_created(parent, c, (parent.parcel_id,), effective_on, document_ref, parent.flags) for c in children]
    return replace(parent, ending=Ending(effective_on, SPLIT, document_ref, ids)), made


def merge_requested(merged: Sequence[Parcel], new: NewParcel, effective_on: date, document_ref: str) -> bool:
    return all(p.ending == Ending(effective_on, MERGE, document_ref, (new.parcel_id,)) for p in merged)


def merge(merged: Sequence[Parcel], new: NewParcel, effective_on: date, document_ref: str, today: date,
          in_ledger: Collection[str]) -> tuple[list[Parcel], Parcel]:
    """合宗: parcels of one holder, street and category become one new parcel whose area is their
    sum; each merged parcel ends on `effective_on` with the new one as its successor. `new.area_m2`
    is ignored: the sum is the area."""
    ids = [p.parcel_id for p in merged]
    errors = [] if len(set(ids)) >= 2 else [FieldError("parcel_ids", AT_LEAST_TWO)]
    errors += [FieldError(f"parcel_ids[{i}]", DUPLICATE_ID.format(parcel_id=pid))
               for i, pid in enumerate(ids) if pid in ids[:i]]
    raise_if_any(errors)
    for i, p in enumerate(merged):
        not_ended(p, f"parcel_ids[{i}]")
        _effective(p, effective_on, today)
    for what, values in (("rights holder", {p.rights_holder for p in merged}),
                         ("street", {p.jurisdiction for p in merged}),
                         ("category", {p.category for p in merged})):
        if len(values) > 1:
            raise ActConflict([FieldError("parcel_ids", DIFFERENT.format(what=what))])
    _taken([new], set(in_ledger) | set(ids), "new_parcel")
    flags = tuple(dict.fromkeys(f for p in merged for f in p.flags))
    area = sum((p.area_m2 for p in merged), Decimal(0))
    made = _created(merged[0], replace(new, area_m2=area), tuple(ids), effective_on, document_ref, flags)
    ended = [replace(p, ending=Ending(effective_on, MERGE, document_ref, (new.parcel_id,))) for p in merged]
    return ended, made


def end_of_right(parcel: Parcel, effective_on: date, document_ref: str, today: date) -> Parcel:
    """收回: the land-use right ends on `effective_on`; no parcel succeeds it."""
    not_ended(parcel)
    _effective(parcel, effective_on, today)
    return replace(parcel, ending=Ending(effective_on, END_OF_RIGHT, document_ref))


def end_requested(parcel: Parcel, effective_on: date, document_ref: str) -> bool:
    return parcel.ending == Ending(effective_on, END_OF_RIGHT, document_ref)


def use_changed(parcel: Parcel, category: ParcelCategory, effective_on: date, today: date) -> Parcel:
    """变更用途: the parcel is graded as `category` from now on; `effective_on` dates the act. The
    category it already has changes nothing (the same act sent again)."""
    not_ended(parcel)
    _effective(parcel, effective_on, today)
    return replace(parcel, category=category)
