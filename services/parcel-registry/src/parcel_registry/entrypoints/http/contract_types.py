"""What the OpenAPI document states of the registry's keys and values, so that a request valid
by the schema is refused only for what no schema can state (a USCC's check character: `format:
uscc`; a filing's year after the current one). The service stays as lenient as before where it
normalises (a USCC with blanks or in lower case is read); the schema states the canonical form a
generated client sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from landgrade_reference.jurisdictions import SPELLINGS, jurisdiction_from_text
from parcel_registry.domain.identities import uscc_reasons
from parcel_registry.domain.key_patterns import (
    ID_SCHEMA,
    OPTIONAL_TEXT_PATTERN,
    REQUIRED_TEXT_PATTERN,
    USCC_SCHEMA,
)

Uscc = Annotated[str, Field(json_schema_extra=USCC_SCHEMA, description="unified social credit code "
                            "(GB 32100-2015); its check character must be right")]
UsccPath = Annotated[str, Path(json_schema_extra=USCC_SCHEMA, description="a USCC (GB 32100-2015)")]
IdPath = Annotated[str, Path(json_schema_extra=ID_SCHEMA)]


def text(max_length: int, *, required: bool = True) -> Any:
    """A text field's bounds: characters, and not blank when required."""
    extra: dict[str, Any] = {"maxLength": max_length, "pattern": OPTIONAL_TEXT_PATTERN}
    if required:
        extra |= {"minLength": 1, "pattern": REQUIRED_TEXT_PATTERN}
    return Field(json_schema_extra=extra)


def checked(kind: str, problem: Callable[[Any], str | None]) -> AfterValidator:
    """The domain's check of one value run while the body is read, so that a body with several
    bad fields is answered with all of them, the wrongly typed ones included (`type` is `kind`)."""

    def check(value: Any) -> Any:
        if value is not None and (reason := problem(value)):
            raise PydanticCustomError(kind, "{reason}", {"reason": reason})
        return value

    return AfterValidator(check)


def _uscc_problem(value: Any) -> str | None:
    return "; ".join(uscc_reasons(value)) or None


def _street_problem(value: Any) -> str | None:
    try:
        jurisdiction_from_text(value)
    except ValueError as bad:
        return str(bad)
    return None


CheckedUscc = Annotated[Uscc, checked("invalid_uscc", _uscc_problem)]
# Every spelling the schema offers is one the service reads; it reads more (no suffix, any case).
STREET_NAMES = list(SPELLINGS)
Street = Annotated[str, checked("unknown_street", _street_problem), Field(json_schema_extra={"enum": STREET_NAMES})]


HISTORY_AFTER: Any = Query(None, pattern=r"^[1-9][0-9]{0,17}$",
                           description="the `next` of the previous page (older entries follow)")
HISTORY_LIMIT: Any = Query(50, ge=1, le=500)


def after_entry(after: str | None) -> int | None:
    return int(after) if after is not None else None
