"""The forms of the registry's keys and the bounds of its values, as a schema states them (the
checks themselves are in `values.py`, `identities.py` and `landgrade_reference`)."""

from __future__ import annotations

from typing import Any

from .values import MAX_AREA_M2, MAX_MONEY

USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
# An id travels in URL paths and Kafka keys: no blanks, control characters, / \ ? # or %.
ID_PATTERN = r"^[^\s/\\?#%\x00-\x1f\x7f-\x9f]{1,64}$"

USCC_SCHEMA: dict[str, Any] = {"pattern": USCC_PATTERN, "format": "uscc", "minLength": 18, "maxLength": 18}
ID_SCHEMA: dict[str, Any] = {"pattern": ID_PATTERN, "minLength": 1, "maxLength": 64}
AREA_BOUNDS: dict[str, Any] = {"exclusiveMinimum": 0, "maximum": int(MAX_AREA_M2)}
MONEY_BOUNDS: dict[str, Any] = {"minimum": 0, "maximum": int(MAX_MONEY)}
SHARE_BOUNDS: dict[str, Any] = {"exclusiveMinimum": 0, "maximum": 100}
YEAR_BOUNDS: dict[str, Any] = {"minimum": 1949, "maximum": 2200}
