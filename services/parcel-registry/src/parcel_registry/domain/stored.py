"""Value objects rebuilt from the ledger's own rows, without checking them again."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, TypeVar

T = TypeVar("T")


def rebuilt(cls: type[T], **values: Any) -> T:
    """An instance of the frozen dataclass `cls` from stored values. They were checked when they
    were accepted; checking every row again on each read (thousands per batch of filings) cost
    more than the reads. Fields not given take their defaults; an unknown field is an error."""
    fields, names = _fields(cls)  # type: ignore[arg-type]  # a class is hashable
    if not names.issuperset(values):
        raise TypeError(f"{cls.__name__} has no fields {sorted(set(values) - names)}")
    instance = object.__new__(cls)
    for f in fields:
        if f.name in values:
            value = values[f.name]
        elif f.default is not dataclasses.MISSING:
            value = f.default
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        else:
            raise TypeError(f"{cls.__name__}: {f.name} is missing")
        object.__setattr__(instance, f.name, value)
    return instance


@functools.cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field[Any], ...], frozenset[str]]:
    """A class's fields, looked up once: `dataclasses.fields` cost more than the rest per row."""
    fields = dataclasses.fields(cls)
    return fields, frozenset(f.name for f in fields)
