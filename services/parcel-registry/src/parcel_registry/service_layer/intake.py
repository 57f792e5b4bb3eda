"""Taking in revenue filings: one filing (a POST) or many (a batch), read, checked and decided
the same way.

A filing is read as the `FilingIn` command (Pydantic checks its shape), becomes a domain
`RevenueFiling` (the domain checks its rules) and is decided by `submit_chunk` against the
ledger. A single filing goes through the coalescer, which writes it in a chunk with the single
filings waiting beside it; a batch is written a chunk per transaction.

Batch lines are parsed by orjson, several times faster than the json module; a line it cannot
read, or whose values it would read differently (a number with a fraction or an exponent, or an
integer too large, which orjson makes a binary float; a nested value), is parsed again the json
module's way, so every line gets the same filing or the same message either way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

import orjson
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from parcel_registry.domain.errors import DomainValidationError, FieldError
from parcel_registry.domain.filings import Outcome, RevenueFiling, filing_year_problem
from parcel_registry.domain.key_patterns import ID_SCHEMA, MONEY_SCHEMA, USCC_SCHEMA, YEAR_BOUNDS
from parcel_registry.domain.values import SURROGATE_REASON, any_surrogate, number_text
from parcel_registry.service_layer.coalescing import FilingCoalescer
from parcel_registry.service_layer.filings import LineResult, submit_chunk
from parcel_registry.service_layer.unit_of_work import RegistryUnitOfWork


def exact_decimal(value: Any) -> Any:
    # A JSON number arrives as a binary float; its shortest repr is what the sender wrote. Text
    # follows the domain's one rule for digits (`number_text`): full-width ones read as ASCII,
    # any other script's refused.
    if isinstance(value, str):
        return number_text(value)
    return Decimal(repr(value)) if isinstance(value, float) else value


def no_surrogate_keys(value: Any) -> Any:
    """A body's keys are echoed in the answer when they are refused (an unknown field): a key with
    a lone surrogate is refused first, without echoing it (no UTF-8 answer could hold it). Its
    values are the domain's to check (`values.text_problem`), under their own field names."""
    if isinstance(value, dict) and any_surrogate(k for k in value if isinstance(k, str)):
        raise ValueError(f"a field name {SURROGATE_REASON}")
    return value


Amount = Annotated[Decimal, BeforeValidator(exact_decimal), WithJsonSchema(MONEY_SCHEMA)]


# One revenue filing as the tax system sends it, alone or as a line of a batch (no docstring:
# it would become the published OpenAPI schema's description).
class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _keys = model_validator(mode="before")(no_surrogate_keys)

    filing_id: str = Field(description="the tax system's id of the filing", json_schema_extra=ID_SCHEMA)
    uscc: str = Field(description="the filer's USCC (GB 32100-2015)", json_schema_extra=USCC_SCHEMA)
    parcel_id: str | None = Field(None, json_schema_extra=ID_SCHEMA)
    year: int = Field(description="the year filed for: not after the current year (Beijing time)",
                      json_schema_extra=YEAR_BOUNDS)
    quarter: int | None = Field(None, description="1-4; absent for an annual filing",
                                json_schema_extra={"minimum": 1, "maximum": 4})
    output_value: Amount
    tax_paid: Amount
    revision: int = Field(0, description="0 for the original; a correction is the latest revision + 1",
                          json_schema_extra={"minimum": 0})

    def to_domain(self) -> RevenueFiling:
        return RevenueFiling(
            self.filing_id,
            self.uscc,
            self.year,
            self.output_value,
            self.tax_paid,
            self.parcel_id,
            self.quarter,
            self.revision,
        )


_FILING = TypeAdapter(FilingIn)


# ---- one filing ---------------------------------------------------------------------------


class FilingRefused(Exception):
    """The ledger refused the filing; nothing of it was written."""

    def __init__(self, reason: str, field: str) -> None:
        super().__init__(reason)
        self.reason, self.field = reason, field


class UnknownParcel(FilingRefused):
    """The filing names a parcel that is not in the ledger."""


class ConflictingFiling(FilingRefused):
    """The filing id is on record with other content, or the revision is not the next one."""


class InvalidFilingBody(ValueError):
    """A body that is not one filing; `errors` are Pydantic's, located under `body` as the
    framework reports a request body's."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid filing body")
        self.errors = errors


class UnparsableBody(Exception):
    """A body that is not text at all (not UTF-8): the framework refuses it before any field."""


def read_filing(body: bytes) -> FilingIn:
    """The command in a JSON body, read as the framework reads a JSON request body (the json
    module's values, orjson where the two agree), with the framework's errors when it is none."""
    if not body:
        raise InvalidFilingBody([{"type": "missing", "loc": ("body",), "msg": "Field required"}])
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            document = json.loads(body)
        except json.JSONDecodeError as bad:
            raise InvalidFilingBody(
                [{"type": "json_invalid", "loc": ("body", bad.pos), "msg": "JSON decode error"}]
            ) from None
        except UnicodeDecodeError:
            raise UnparsableBody from None
    try:
        return _FILING.validate_python(document, from_attributes=True)
    except ValidationError as bad:
        raise InvalidFilingBody(
            [{"type": e["type"], "loc": ("body", *e["loc"]), "msg": e["msg"]} for e in bad.errors()]
        ) from None


async def receive_filing(filings: FilingCoalescer, command: FilingIn, received_by: str,
                         current_year: int) -> LineResult:
    """One filing, decided in a chunk shared with the single filings beside it. Raises
    `DomainValidationError` for a broken rule (a year after `current_year` among them) and
    `FilingRefused` when the ledger refuses it."""
    filing = command.to_domain()
    if problem := filing_year_problem(filing.year, current_year):
        raise DomainValidationError([FieldError("year", problem)])
    result = await filings.submit(filing, received_by)
    if result.outcome is None:
        raise UnknownParcel(result.reason, result.field or "parcel_id")
    if result.outcome is Outcome.CONFLICT:
        raise ConflictingFiling(result.reason, "revision")
    return result


# ---- a batch ------------------------------------------------------------------------------


def to_filing(item: Any) -> RevenueFiling | str:
    """A batch line's filing, or why it is none."""
    if not isinstance(item, dict):
        return "a filing must be a JSON object"
    try:
        return _FILING.validate_python(item).to_domain()
    except ValidationError as bad:
        reason = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'filing'}: {e['msg']}" for e in bad.errors())
    except DomainValidationError as bad:
        reason = str(bad)
    # The reason goes into a UTF-8 answer: a lone surrogate it quotes is written as its escape.
    return reason.encode("utf-8", "backslashreplace").decode("utf-8")


# Values both parsers read alike. orjson makes exactly these types (never a subclass), so a set
# of types answers at once for a whole line.
_PLAIN = frozenset((str, int, bool, type(None)))


def _plain(item: Any) -> bool:
    if isinstance(item, dict):
        return _PLAIN.issuperset(map(type, item.values()))
    return not isinstance(item, float)  # any other non-object is refused alike, whatever it holds


def loads(raw: bytes) -> Any:
    """What ``json.loads(raw, parse_float=Decimal)`` gives, by orjson where the two agree."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        value = float("nan")  # not plain: the json module reads it, or says why it cannot
    if all(_plain(item) for item in (value if isinstance(value, list) else [value])):
        return value
    return json.loads(raw, parse_float=Decimal)


def parse_line(raw: bytes) -> RevenueFiling | str:
    try:
        item = loads(raw)
    except ValueError as bad:
        return f"not valid JSON: {bad}"
    return to_filing(item)


@dataclass
class BatchTally:
    counts: dict[str, int] = field(default_factory=lambda: {"accepted": 0, "revised": 0, "duplicate": 0, "rejected": 0})
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, filing_id: str | None, reason: str, kind: str = "invalid") -> None:
        self.counts["rejected"] += 1
        self.errors.append({"line": line, "filing_id": filing_id, "kind": kind, "reason": reason})

    def add(self, results: list[LineResult]) -> None:
        for r in results:
            if r.outcome is None:
                self.reject(r.line, r.filing.filing_id, r.reason, "unknown_parcel")
            elif r.outcome is Outcome.CONFLICT:
                self.reject(r.line, r.filing.filing_id, r.reason, "conflict")
            elif r.outcome is Outcome.REVISED:
                self.counts["accepted"] += 1
                self.counts["revised"] += 1
            else:
                self.counts[r.outcome.value] += 1

    def report(self) -> dict[str, Any]:
        received = self.counts["accepted"] + self.counts["duplicate"] + self.counts["rejected"]
        return {"received": received, **self.counts, "errors": sorted(self.errors, key=lambda e: e["line"])}


YIELD_EVERY = 50  # lines parsed between turns given to the chunk in flight (its next statement)


class ChunkWriter:
    """Writes a batch's chunks one after another while the next chunk's lines are being parsed.

    Chunks commit strictly in order, one at a time (a later chunk may correct a filing of an
    earlier one, so it must start after that one committed); only parsing overlaps the database's
    work on the chunk before. A chunk that fails fails the call when the next one is handed over
    (or at the end); a call that fails while parsing first lets the chunk in flight finish, so
    whatever was written is whole chunks."""

    def __init__(self, uow: RegistryUnitOfWork, received_by: str, tally: BatchTally) -> None:
        self.uow, self.received_by, self.tally = uow, received_by, tally
        self._in_flight: asyncio.Task[list[LineResult]] | None = None

    async def write(self, chunk: Sequence[tuple[int, RevenueFiling]]) -> None:
        """Waits for the chunk before, then starts writing this one and returns."""
        await self.settle()
        self._in_flight = asyncio.create_task(submit_chunk(self.uow, chunk, self.received_by))

    async def pause(self, parsed: int) -> None:
        """Called per line parsed: now and then lets the chunk in flight send its next statement
        (parsing alone would not give it a turn until the next chunk is handed over)."""
        if self._in_flight is not None and parsed % YIELD_EVERY == 0:
            await asyncio.sleep(0)

    async def settle(self) -> None:
        """Waits for the chunk in flight, if any, and counts its lines."""
        task, self._in_flight = self._in_flight, None
        if task is not None:
            self.tally.add(await task)


async def receive_batch(
    uow: RegistryUnitOfWork, lines: AsyncIterable[tuple[int, RevenueFiling | str]], received_by: str, *,
    chunk_size: int, max_filings: int, current_year: int,
) -> dict[str, Any]:
    """Many filings, decided a chunk per transaction (one at a time, reusing `uow`); a line that
    is no filing, or over the call's limit, is rejected with its reason and the rest go on."""
    tally = BatchTally()
    writer = ChunkWriter(uow, received_by, tally)
    chunk: list[tuple[int, RevenueFiling]] = []
    taken = 0
    try:
        async for line, parsed in lines:
            await writer.pause(line)
            taken += 1
            if taken > max_filings:
                tally.reject(line, None, f"more than {max_filings} filings in one call: this "
                             "line was not taken; send it in another call", "over_limit")
                continue
            if isinstance(parsed, str):
                tally.reject(line, None, parsed)
                continue
            if problem := filing_year_problem(parsed.year, current_year):
                tally.reject(line, parsed.filing_id, f"year: {problem}")
                continue
            chunk.append((line, parsed))
            if len(chunk) >= chunk_size:
                await writer.write(chunk)
                chunk = []
        if chunk:
            await writer.write(chunk)
    finally:
        await writer.settle()
    return tally.report()
