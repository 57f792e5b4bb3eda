"""Handlers for parcels and their leases."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from parcel_registry.adapters.spreadsheets import Sheet, SheetTooLarge, TooManySheetRows, UnreadableSheet, read_sheet
from parcel_registry.domain.acts import ended_reason, not_ended
from parcel_registry.domain.equity import EquityRules
from parcel_registry.domain.errors import ActConflict, NotFound
from parcel_registry.domain.history import Act, HistoryEntry, changes_between, parcel_facts, require_reason
from parcel_registry.domain.holders import corrected
from parcel_registry.domain.importing import ImportResult, header_errors, validate_rows
from parcel_registry.domain.leases import Lease, lease_problems_on
from parcel_registry.domain.parcels import Parcel
from parcel_registry.domain.records import Change, Stored
from parcel_registry.domain.row_cells import RowError
from parcel_registry.service_layer.equity_links import link_between, relink_leases
from parcel_registry.service_layer.outgoing import lease_changed, parcel_changed, unapproved_lease
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork
from servicekit.clock import SystemClock
from servicekit.events import EventData
from servicekit.idempotency import IdempotentRequest

NOT_A_PARCEL_SHEET = "the file has none of the columns of a parcel sheet"
IMPORT_REASON = "表格导入 (sheet import)"
TERM_COLUMNS = {"committed_output_value", "committed_tax", "commitment_from_year", "production_start_due"}
IMPORT_CHUNK = 500  # parcels of a sheet decided and written per step (see `write_import`)


class UnreadableFile(ValueError):
    """An upload that is no CSV or XLSX sheet; nothing was imported."""


@dataclass(frozen=True)
class ImportLimits:
    """Bounds on the work one sheet upload may cause (the service's `import_*` settings)."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 20_000
    max_listed_problems: int = 100


class ImportTooLarge(ValueError):
    """The upload (or an XLSX's inflated parts) is over the size limit; nothing was read."""

    def __init__(self, limit: int, what: str = "file") -> None:
        super().__init__(f"the {what} exceeds the limit of {limit} bytes")
        self.limit, self.what = limit, what


class TooManyRows(ValueError):
    """The sheet has more data rows than one import may hold; nothing was imported."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the sheet has more than {limit} data rows")
        self.limit = limit


class ImportRefused(ValueError):
    """Some rows are invalid; nothing was imported. `errors` lists every problem found; an answer
    lists the first `listed` of them and counts them all."""

    def __init__(self, errors: list[RowError], listed: int | None = None, rows: int = 0) -> None:
        super().__init__(f"{len(errors)} problem(s) found; nothing was imported.")
        self.errors = errors
        self.listed = len(errors) if listed is None else listed
        self.rows = rows


# Acts that create parcels: a parcel's first entry names the act that made it.
CREATING_KINDS = frozenset({"split", "merge"})


def _same(a: Parcel, b: Parcel) -> bool:
    return a == b and a.geometry == b.geometry and a.holders == b.holders


def import_act(actor: str = "sheet-import", reference: str | None = None) -> Act:
    """A sheet has no reason column: its rows are recorded as imported, under the importer."""
    return Act(actor, SystemClock().now(), IMPORT_REASON, reference)


def next_version(parcel: Parcel, current: Stored | None, act: Act, kind: str = "changed",
                 effective_on: date | None = None) -> tuple[Stored, Change, HistoryEntry | None]:
    """The parcel's next version and its history entry (none when nothing changed); a change of a
    reasoned field (area, holder, category, flags) of a registered parcel without a reason is
    refused, and so is any change of an ended parcel."""
    if current is not None and _same(current.parcel, parcel):
        return current, Change.UNCHANGED, None
    changes = changes_between(parcel_facts(current.parcel) if current else None, parcel_facts(parcel))
    if current is not None:
        not_ended(current.parcel)
        require_reason(changes, act)
    first_kind = kind if kind in CREATING_KINDS else "registered"
    entry = HistoryEntry("parcel", parcel.parcel_id, kind if current else first_kind, act, changes, effective_on)
    if current is None:
        return Stored(parcel, 1), Change.CREATED, entry
    return Stored(parcel, current.version + 1), Change.UPDATED, entry


async def _written_events(uow: RegistryUnitOfWork, rules: EquityRules, stored: Stored,
                          current: Stored | None) -> list[EventData]:
    """A written version's events: the parcel's, and its leases' when the holder changed."""
    events: list[EventData] = [parcel_changed(stored.parcel, stored.version)]
    if current is not None and current.parcel.rights_holder != stored.parcel.rights_holder:
        events += await relink_leases(uow, rules, [stored.parcel.rights_holder, current.parcel.rights_holder])
    return events


async def write_parcel(
    uow: RegistryUnitOfWork, rules: EquityRules, parcel: Parcel, current: Stored | None, act: Act,
    kind: str = "changed", effective_on: date | None = None,
) -> tuple[Stored, Change, list[EventData]]:
    """Writes one parcel version and its history entry (`next_version`)."""
    stored, change, entry = next_version(parcel, current, act, kind, effective_on)
    if entry is None:
        return stored, change, []
    await uow.parcels.save_parcels([stored])
    await uow.history.record(entry)
    return stored, change, await _written_events(uow, rules, stored, current)


async def put_parcel(
    uow: RegistryUnitOfWork, parcel: Parcel, rules: EquityRules, act: Act | None = None
) -> tuple[Stored, Change]:
    """Registers or changes a parcel. A different holder here corrects the current holder (it
    was recorded wrongly); a new holder from a date is a transfer (`transfer`)."""
    async with uow:
        await uow.parcels.lock(parcel.parcel_id)
        current = await uow.parcels.get_parcel(parcel.parcel_id)
        if current is not None:
            parcel = replace(parcel, holders=corrected(current.parcel.holders, parcel.rights_holder),
                             predecessors=current.parcel.predecessors, ending=current.parcel.ending)
        stored, change, events = await write_parcel(uow, rules, parcel, current, act or Act("", SystemClock().now()))
        await uow.emit(*events)
    return stored, change


async def write_import(uow: RegistryUnitOfWork, result: ImportResult, rules: EquityRules,
                       columns: set[str], act: Act | None = None) -> dict[str, int]:
    """Writes a validated sheet inside the caller's open unit of work. Flags, and the contract
    terms or outline when the sheet has no such columns, are kept from the ledger.

    A sheet is read, decided and written IMPORT_CHUNK parcels at a time, each chunk's versions,
    history and events in set-based statements: the event loop, which answers every other request
    meanwhile, is never held for more than one chunk's work. A sheet changing an ended parcel is
    refused whole (`ImportRefused`, once every chunk is decided, so every such parcel is named)."""
    replaces_terms, replaces_geometry = bool(columns & TERM_COLUMNS), "geometry" in columns
    counts = {c.value: 0 for c in Change}
    act = act or import_act()
    await uow.parcels.lock_all(p.parcel_id for p in result.parcels)
    ended: list[RowError] = []
    for start in range(0, len(result.parcels), IMPORT_CHUNK):
        chunk = result.parcels[start:start + IMPORT_CHUNK]
        existing = await uow.parcels.get_parcels(p.parcel_id for p in chunk)
        written: list[tuple[Stored, Stored | None]] = []
        entries: list[HistoryEntry] = []
        for parcel in chunk:
            current = existing.get(parcel.parcel_id)
            if current is not None:
                kept = current.parcel
                parcel = replace(
                    parcel,
                    flags=kept.flags,
                    contract_terms=parcel.contract_terms if replaces_terms else kept.contract_terms,
                    geometry=parcel.geometry if replaces_geometry else kept.geometry,
                    holders=corrected(kept.holders, parcel.rights_holder),
                    predecessors=kept.predecessors,
                    ending=kept.ending,
                )
                if (reason := ended_reason(kept)) is not None and not _same(kept, parcel):
                    # The sheet's row is not known here (blank rows are not counted): the
                    # problem names the parcel instead.
                    ended.append(RowError(0, "parcel_id", reason))
                    continue
            stored, change, entry = next_version(parcel, current, act, "imported")
            counts[change.value] += 1
            if entry is not None:
                written.append((stored, current))
                entries.append(entry)
        await uow.parcels.save_parcels([stored for stored, _ in written])
        await uow.history.record(*entries)
        events: list[EventData] = []
        for stored, current in written:
            events += await _written_events(uow, rules, stored, current)
        await uow.emit(*events)
    if ended:  # the open transaction rolls back: a sheet is imported all or nothing
        raise ImportRefused(ended)
    return counts


def read_upload(data: bytes, limits: ImportLimits) -> Sheet:
    """The rows of an uploaded sheet, within the limits (blocking)."""
    if len(data) > limits.max_bytes:
        raise ImportTooLarge(limits.max_bytes)
    try:
        sheet = read_sheet(data, max_rows=limits.max_rows, max_bytes=limits.max_bytes)
    except UnreadableSheet as bad:
        raise UnreadableFile(str(bad)) from None
    except TooManySheetRows as bad:
        raise TooManyRows(bad.limit) from None
    except SheetTooLarge as bad:
        raise ImportTooLarge(bad.limit, "inflated XLSX") from None
    return sheet


def check_sheet(data: bytes, limits: ImportLimits) -> tuple[ImportResult, set[str]]:
    """Reads and checks a whole sheet: CPU-bound and blocking, so `import_sheet` runs it in a
    worker thread while the event loop goes on answering other requests."""
    sheet = read_upload(data, limits)
    if not header_errors(sheet.headers)[0]:
        # Not one column of a parcel sheet: the file is something else (a PDF, a letter), which
        # is said of the file, not of columns it never meant to have.
        raise UnreadableFile(NOT_A_PARCEL_SHEET)
    result = validate_rows(sheet.headers, sheet.rows, header_row=sheet.header_row, sheet=sheet.name)
    if not result.ok:
        raise ImportRefused(list(result.errors), limits.max_listed_problems, result.rows)
    return result, set(header_errors(sheet.headers)[0].values())


async def import_sheet(
    uow: RegistryUnitOfWork, data: bytes, rules: EquityRules, limits: ImportLimits | None = None,
    idempotency: IdempotentRequest | None = None, act: Act | None = None,
) -> dict[str, Any]:
    """An uploaded sheet, every row checked (off the event loop), imported all or nothing in one
    transaction with its Idempotency-Key answer."""
    result, columns = await asyncio.to_thread(check_sheet, data, limits or ImportLimits())
    return await import_checked(uow, result, columns, rules, idempotency, act)


async def import_checked(
    uow: RegistryUnitOfWork, result: ImportResult, columns: set[str], rules: EquityRules,
    idempotency: IdempotentRequest | None = None, act: Act | None = None,
) -> dict[str, Any]:
    async with uow:
        if (earlier := await uow.replayed(idempotency)) is not None:
            answer: dict[str, Any] = earlier[1]
            return answer
        counts = await write_import(uow, result, rules, columns, act)
        answer = {"imported": len(result.parcels), **counts}
        if result.converted:
            answer["converted"] = [c.view() for c in result.converted]
        await uow.remember(idempotency, 200, answer)
    return answer


async def put_lease(uow: RegistryUnitOfWork, lease: Lease, rules: EquityRules) -> tuple[Lease, bool, int, Change]:
    """Registers or changes a lease; its equity link to the holder is derived here."""
    async with uow:
        await uow.parcels.lock(lease.parcel_id)
        stored = await uow.parcels.get_parcel(lease.parcel_id)
        if stored is None:
            raise NotFound("parcel", lease.parcel_id)
        not_ended(stored.parcel)  # the land is let by the holder of a parcel in force
        on_parcel = await uow.parcels.leases_on(lease.parcel_id)
        # The lease is well formed (`Lease` checked it); these rules weigh it against the parcel
        # on file, so a breach is a conflict with the ledger.
        problems = lease_problems_on(lease, stored.parcel, tuple(other for other, _, _ in on_parcel))
        if problems:
            raise ActConflict(problems)
        linked = await link_between(uow, rules, stored.parcel.rights_holder, lease.tenant) is not None
        current = next((entry for entry in on_parcel if entry[0].lease_id == lease.lease_id), None)
        if current is not None and current[0] == lease and current[1] == linked:
            return lease, linked, current[2], Change.UNCHANGED
        version = current[2] + 1 if current else 1
        await uow.parcels.save_lease(lease, linked, version)
        await uow.emit(lease_changed(lease, linked))
        if lease.approval is None:
            await uow.emit(unapproved_lease(lease, stored.parcel.jurisdiction))
    return lease, linked, version, Change.CREATED if current is None else Change.UPDATED
