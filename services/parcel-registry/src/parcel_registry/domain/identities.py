"""The registry's one way in for USCCs and resident ID numbers: every code that enters (a path, a
query, a body, a sheet row) is read by `landgrade_reference`'s parsers, which NFKC-normalise, drop
blanks and dashes, upper-case and check the check character. Anything they refuse is refused
here, with their reasons: the registry never stores or looks up a code they did not accept."""

from __future__ import annotations

from landgrade_reference.resident_ids import InvalidResidentId, parse_resident_id
from landgrade_reference.uscc import InvalidUscc, parse_uscc

from .values import surrogate_problem


def uscc_reasons(value: object) -> list[str]:
    """Why ``value`` is not a USCC; empty when `parse_uscc` accepts it."""
    if problem := surrogate_problem(value):
        return [problem]
    try:
        parse_uscc(value)
    except InvalidUscc as bad:
        return list(bad.reasons)
    return []


def resident_id_reasons(value: object) -> list[str]:
    """Why ``value`` is not a resident ID number; empty when `parse_resident_id` accepts it. The
    reasons never quote the number."""
    if surrogate_problem(value):
        return ["an ID number must be digits (and a final X)"]
    try:
        parse_resident_id(value)
    except InvalidResidentId as bad:
        return list(bad.reasons)
    return []
