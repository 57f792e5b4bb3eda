"""What the GET routes answer: benefits, credit files, the public list, the audit log, the
ledger's integrity and repair applications."""

from __future__ import annotations

from datetime import date
from typing import Any

from credit_ledger.domain.chain import Anchor, Verification, verify
from credit_ledger.domain.disclosure import PublicListPolicy
from credit_ledger.domain.entitlements import Entitlement
from credit_ledger.domain.masking import mask_name
from credit_ledger.domain.paging import HolderCursor
from credit_ledger.domain.penetration import SubjectKind
from credit_ledger.domain.records import RecordKind, superseded
from credit_ledger.domain.subjects import InvalidIdentifier, UnknownEnterprise, UnknownSubject, as_uscc, is_person_token
from credit_ledger.service_layer.access import ensure_acts_for
from credit_ledger.service_layer.repairs import answer, stored
from credit_ledger.service_layer.unit_of_work import CreditLedgerUnitOfWork
from servicekit.auth import Principal
from servicekit.logging import get_logger, redact


class PersonFileRefused(PermissionError):
    """A responsible person's own credit file is for admin eyes only."""


async def benefits_of(uow: CreditLedgerUnitOfWork, uscc: str, history_limit: int = 50) -> dict[str, Any]:
    """An enterprise's entitlements (which, why, since when), its ties to parcels and recent changes.

    `uscc` is normalised (`parse_uscc`). An enterprise the ledger holds nothing about raises
    UnknownEnterprise: "not restricted" is only ever said of an enterprise the ledger knows."""
    async with uow:
        enterprise = await uow.graph.enterprise(uscc)
        held = await uow.register.held_by(uscc)
        ties = await uow.register.standings_of(uscc)
        history = await uow.register.history_of(uscc, history_limit)
    if enterprise is None and not held and not ties and not history:
        raise UnknownEnterprise(uscc)
    kinds = {h.entitlement for h in held}
    return {
        "uscc": uscc, "name": enterprise.name if enterprise else None,
        "green_channel": Entitlement.GREEN_CHANNEL in kinds,
        "key_service_list": Entitlement.KEY_SERVICE_LIST in kinds,
        "restricted": Entitlement.RESTRICTED in kinds,
        "entitlements": [{"benefit": h.entitlement.value, "since": h.since, "reason": h.reason,
                          "grounds": list(h.grounds)} for h in held],
        "ties": [{"parcel_id": t.parcel_id, "relation": t.relation.value, "path": t.path_sentence,
                  "final_grade": t.final_grade.value if t.final_grade else None, "final_year": t.final_year,
                  "pending_grade": t.pending_grade.value if t.pending_grade else None} for t in ties],
        "history": [{"benefit": h.entitlement.value, "action": h.action, "reason": h.reason, "at": h.at,
                     "parcel_id": h.parcel_id, "grade": h.grade, "grade_status": h.grade_status}
                    for h in history],
    }


async def holders_of(uow: CreditLedgerUnitOfWork, kind: Entitlement, after: str | None, limit: int) -> dict[str, Any]:
    """One page of enterprises holding `kind`, in USCC order; `next` continues after the last one."""
    async with uow:
        found = await uow.register.holders(kind, after, limit + 1)
    page = found[:limit]
    return {
        "list": kind.value,
        "items": [{"uscc": uscc, "name": name, "since": held.since, "reason": held.reason,
                   "grounds": list(held.grounds)} for uscc, name, held in page],
        "next": page[-1][0] if len(found) > limit else None,
    }


async def credit_file(uow: CreditLedgerUnitOfWork, subject_ref: str, reader: Principal,
                      field: str = "uscc", as_of: date | None = None) -> dict[str, Any]:
    """The subject's credit file: an enterprise's (by USCC, in any spelling `parse_uscc` accepts)
    or, for admin, a responsible person's (by the person token, exactly), with the enterprise's
    responsible persons and equity links valid `as_of` (None: those valid now).

    Every attempt is a read: its audit row commits even when the file is refused, unknown or the
    reference malformed. A caller may ask for a resident ID number instead of a USCC or person
    token: the audit row keeps it masked, as every other record of personal data is. Refusals are
    raised after the audit row commits: InvalidIdentifier (neither a valid USCC nor a person the
    ledger holds), NotYourEnterprise, PersonFileRefused, UnknownEnterprise (a valid USCC the ledger
    holds nothing about: never an empty file that reads as clear)."""
    uscc = as_uscc(subject_ref)
    subject_ref = uscc or subject_ref
    async with uow:
        await uow.reads.add(reader.subject, " ".join(sorted(reader.scopes)), redact(subject_ref), reader.is_admin)
        get_logger("disclosure").info("credit_file_read", reader=reader.subject, subject=subject_ref,
                                      unmasked=reader.is_admin)
        found = await uow.ledger.of_subject(subject_ref)
        is_person = uscc is None and (any(r.subject_kind is SubjectKind.PERSON for _, r in found)
                                      or await uow.graph.is_person(subject_ref))
        allowed = uscc is not None or is_person
        try:
            ensure_acts_for(reader, subject_ref)
            refused: Exception | None = None
        except PermissionError as error:
            refused = error
        if refused is None and is_person and not reader.is_admin:
            refused = PersonFileRefused(subject_ref)
        readable = allowed and refused is None
        enterprise = await uow.graph.enterprise(subject_ref) if readable and not is_person else None
        persons = await uow.graph.persons_of(subject_ref, as_of) if readable and not is_person else []
        links = await uow.graph.equity_links_of(subject_ref, as_of) if readable and not is_person else []
    if not allowed and is_person_token(subject_ref):
        raise UnknownSubject(subject_ref)
    if not allowed:
        raise InvalidIdentifier(field, "path", ["neither a valid USCC nor a person token the ledger holds"])
    if refused is not None:
        raise refused
    if not found and enterprise is None and not is_person:
        raise UnknownEnterprise(subject_ref)
    ended = superseded([record for _, record in found])
    items = []
    for sequence, record in found:
        hidden = record.record_id in ended or record.kind is RecordKind.REPAIR
        if hidden and not reader.is_admin:
            continue  # disclosure ended by a repair; the record itself stays in the ledger
        items.append({
            "seq": sequence, "record_id": record.record_id, "kind": record.kind.value,
            "relation": record.relation.value, "parcel_id": record.parcel_id,
            "grade": record.grade.value if record.grade else None, "year": record.year,
            "polarity": record.polarity.value, "reason": record.reason, "path": list(record.path),
            "path_sentence": record.path_sentence, "occurred_at": record.occurred_at,
            "disclosed": not hidden, "supersedes": record.supersedes,
            "superseded_by": ended[record.record_id].record_id if record.record_id in ended else None,
        })
    return {
        "subject": {"kind": "person" if is_person else "enterprise", "ref": subject_ref,
                    "name": enterprise.name if enterprise else None,
                    "status": enterprise.status if enterprise else None},
        "masked": not reader.is_admin,
        "records": items,
        "responsible_persons": [
            {"person_ref": p.person_ref, "role": p.role,
             "name": p.name if reader.is_admin else mask_name(p.name)} for p in persons],
        "equity_links": [{"shareholder_uscc": link.shareholder_uscc, "investee_uscc": link.investee_uscc,
                          "share": link.share} for link in links],
    }


async def quality_holders(uow: CreditLedgerUnitOfWork, year: int | None, limit: int, offset: int,
                          policy: PublicListPolicy, after: HolderCursor | None = None) -> dict[str, Any]:
    """A-class holders by the latest FINAL grading of each parcel in the year (default: the latest
    graded year), without (or marking, as the policy says) those whose parcel has been graded at or
    below the policy's review grade since; nothing personal. One page, in USCC and parcel order,
    from `offset` past the cursor; `next` continues after its last holder (None on the last page)."""
    async with uow:
        if year is None:
            year = await uow.grades.latest_final_year()
        total, found = await uow.grades.quality_holders(year, limit + 1, offset, policy, after)
    listed = found[:limit]
    return {
        "year": year, "total": total, "limit": limit, "offset": offset,
        "items": [{"enterprise_name": h.enterprise_name, "uscc": h.uscc, "parcel_id": h.parcel_id, "year": h.year,
                   "under_review": h.under_review} for h in listed],
        "next": HolderCursor(listed[-1].uscc, listed[-1].parcel_id).text() if len(found) > limit else None,
    }


async def reads_of(uow: CreditLedgerUnitOfWork, subject_ref: str | None, limit: int) -> list[dict[str, Any]]:
    """Who read which credit file, newest first. A USCC is looked up as `parse_uscc` normalises
    it, the form the reads are logged under; any other subject (a person token) as it is."""
    if subject_ref:
        subject_ref = as_uscc(subject_ref) or subject_ref
    async with uow:
        reads = await uow.reads.latest(redact(subject_ref) if subject_ref else None, limit)
    return [{"reader": r.reader, "scopes": r.scopes, "subject_ref": r.subject_ref, "unmasked": r.unmasked,
             "read_at": r.read_at} for r in reads]


async def repair(uow: CreditLedgerUnitOfWork, repair_id: str) -> dict[str, Any]:
    async with uow:
        return answer(await stored(uow, repair_id))


async def anchors(uow: CreditLedgerUnitOfWork) -> list[Anchor]:
    async with uow:
        return await uow.ledger.anchors()


async def verify_ledger(uow: CreditLedgerUnitOfWork, chunk_size: int = 2000) -> tuple[Verification, int]:
    """Recomputes the whole chain from what is stored: (result naming the first broken record,
    number of anchors checked). The head row is checked like a published anchor."""
    async with uow:
        head = await uow.ledger.read_head()
        anchored = await uow.ledger.anchors()
        if head.sequence > 0:
            anchored = [*(a for a in anchored if a.sequence != head.sequence), head]
        start: Anchor | None = None
        checked = 0
        async for chunk in uow.ledger.chunks(chunk_size):
            done = start.sequence if start else 0
            relevant = [a for a in anchored if done < a.sequence <= chunk[-1].sequence]
            result = verify(chunk, relevant, start)
            checked += result.checked
            if not result.ok:
                return Verification(False, checked, result.head, result.broken_at, result.problem,
                                    result.detail), len(anchored)
            start = result.head
    done = start.sequence if start else 0
    tail = verify([], [a for a in anchored if a.sequence > done], start)
    return Verification(tail.ok, checked, start, tail.broken_at, tail.problem, tail.detail), len(anchored)
