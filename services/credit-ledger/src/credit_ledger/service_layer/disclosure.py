"""Credit files (masked except for admin, every read audit-logged) and the public list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from credit_ledger.adapters import graph, ledger
from credit_ledger.adapters.tables import credit_reads, enterprises, grades, responsible_persons
from credit_ledger.domain.masking import mask_name
from credit_ledger.domain.records import RecordKind, superseded
from servicekit.auth import Principal
from servicekit.logging import get_logger, redact


class PersonFileRefused(PermissionError):
    """A responsible person's own credit file is for admin eyes only."""


async def credit_file(session: AsyncSession, subject_ref: str, reader: Principal) -> dict[str, Any] | None:
    """The subject's credit file, or None when nothing is known about it. The read is logged first.

    A caller may ask for a resident ID number instead of a USCC or person token: the audit row
    keeps it masked, as every other record of personal data is."""
    await session.execute(insert(credit_reads).values(
        reader=reader.subject, scopes=" ".join(sorted(reader.scopes)), subject_ref=redact(subject_ref),
        unmasked=reader.is_admin))
    get_logger("disclosure").info("credit_file_read", reader=reader.subject, subject=subject_ref,
                                  unmasked=reader.is_admin)
    rows = await ledger.rows_of_subject(session, subject_ref)
    is_person = any(r.subject_kind == "person" for r in rows) or bool(await session.scalar(
        select(func.count()).select_from(responsible_persons)
        .where(responsible_persons.c.person_ref == subject_ref)))
    if is_person and not reader.is_admin:
        raise PersonFileRefused(subject_ref)
    enterprise = (await session.execute(select(enterprises).where(enterprises.c.uscc == subject_ref))).first()
    if not rows and enterprise is None and not is_person:
        return None
    records = [ledger.to_record(r) for r in rows]
    ended = superseded(records)
    items = []
    for row, record in zip(rows, records, strict=True):
        hidden = record.record_id in ended or record.kind is RecordKind.REPAIR
        if hidden and not reader.is_admin:
            continue  # disclosure ended by a repair; the record itself stays in the ledger
        item = {
            "seq": row.sequence, "record_id": record.record_id, "kind": record.kind.value,
            "relation": record.relation.value, "parcel_id": record.parcel_id,
            "grade": record.grade.value if record.grade else None, "year": record.year,
            "polarity": record.polarity.value, "reason": record.reason, "path": list(record.path),
            "path_sentence": record.path_sentence, "occurred_at": record.occurred_at,
            "disclosed": not hidden, "supersedes": record.supersedes,
            "superseded_by": ended[record.record_id].record_id if record.record_id in ended else None,
        }
        items.append(item)
    persons = [] if is_person else await graph.persons_of(session, subject_ref)
    links = [] if is_person else await graph.equity_linked(session, subject_ref)
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


async def quality_holders(session: AsyncSession, year: int | None, limit: int, offset: int) -> dict[str, Any]:
    """A-class holders by the latest FINAL grading of each parcel in the year; nothing personal."""
    if year is None:
        year = await session.scalar(select(func.max(grades.c.year)).where(grades.c.status == "final"))
    latest = (
        select(grades.c.parcel_id, grades.c.holder_uscc, grades.c.grade, grades.c.year)
        .where(grades.c.status == "final", grades.c.year == year)
        .ext(distinct_on(grades.c.parcel_id))
        .order_by(grades.c.parcel_id, grades.c.evaluated_at.desc(), grades.c.evaluation_id.desc())
        .subquery()
    )
    listed = (
        select(latest.c.parcel_id, latest.c.holder_uscc, latest.c.year, enterprises.c.name)
        .join(enterprises, enterprises.c.uscc == latest.c.holder_uscc, isouter=True)
        .where(latest.c.grade == "A")
    )
    total = await session.scalar(select(func.count()).select_from(listed.subquery()))
    rows = (await session.execute(
        listed.order_by(latest.c.holder_uscc, latest.c.parcel_id).limit(limit).offset(offset))).all()
    return {
        "year": year, "total": total or 0, "limit": limit, "offset": offset,
        "items": [{"enterprise_name": r.name, "uscc": r.holder_uscc, "parcel_id": r.parcel_id, "year": r.year}
                  for r in rows],
    }


async def reads_of(session: AsyncSession, subject_ref: str | None, limit: int) -> list[dict[str, Any]]:
    query = select(credit_reads).order_by(credit_reads.c.id.desc()).limit(limit)
    if subject_ref:
        query = query.where(credit_reads.c.subject_ref == redact(subject_ref))
    return [dict(r._mapping) for r in await session.execute(query)]
