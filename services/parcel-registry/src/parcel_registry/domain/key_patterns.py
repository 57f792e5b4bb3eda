"""The forms of the registry's keys and the bounds of its values, as a schema states them (the
checks themselves are in `values.py`, `identities.py` and `landgrade_reference`)."""

from __future__ import annotations

from typing import Any

from landgrade_reference.text import BLANKS

from .values import MAX_AREA_M2, MAX_MONEY

USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
# An id travels in URL paths and Kafka keys: no blanks, control characters, / \ ? # or %.
ID_PATTERN = rf"^[^{BLANKS}/\\?#%\x00-\x1f\x7f-\x9f]{{1,64}}$"

DEADLINE_KIND_SCHEMA: dict[str, Any] = {"pattern": rf"^[^{BLANKS}/\\?#%\x00-\x1f\x7f-\x9f]{{1,40}}$", "maxLength": 40}
USCC_SCHEMA: dict[str, Any] = {"pattern": USCC_PATTERN, "format": "uscc", "minLength": 18, "maxLength": 18}
# A resident ID's check character and date are the `resident-id` format's to state.
RESIDENT_ID_SCHEMA: dict[str, Any] = {"pattern": r"^[0-9]{17}[0-9X]$", "format": "resident-id",
                                      "minLength": 18, "maxLength": 18}
ID_SCHEMA: dict[str, Any] = {"pattern": ID_PATTERN, "minLength": 1, "maxLength": 64}
AREA_BOUNDS: dict[str, Any] = {"exclusiveMinimum": 0, "maximum": int(MAX_AREA_M2)}
MONEY_BOUNDS: dict[str, Any] = {"minimum": 0, "maximum": int(MAX_MONEY)}
SHARE_BOUNDS: dict[str, Any] = {"exclusiveMinimum": 0, "maximum": 100}
YEAR_BOUNDS: dict[str, Any] = {"minimum": 1949, "maximum": 2200}

# Text: no control character but tab and newline (`values.text_problem`); a required text has a
# character that is no blank.
_TEXT_CHAR = r"[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]"
OPTIONAL_TEXT_PATTERN = rf"^{_TEXT_CHAR}*$"
REQUIRED_TEXT_PATTERN = rf"^{_TEXT_CHAR}*[^{BLANKS}\u0000-\u001f\u007f-\u009f]{_TEXT_CHAR}*$"

# Decimals as a schema states them: a whole JSON number, or a decimal string within the bounds
# and places the checks allow (`values.area_problem`, `money_problem`, `share_problem`).
AREA_PATTERN = r"^(?:[1-9][0-9]{0,9}(?:\.[0-9]{1,4})?|0\.[0-9]{0,3}[1-9])$"
MONEY_PATTERN = r"^(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,2})?$"
SHARE_PATTERN = r"^(?:100(?:\.0{1,4})?|[1-9][0-9]?(?:\.[0-9]{1,4})?|0\.[0-9]{0,3}[1-9])$"


def decimal_schema(pattern: str, description: str, **bounds: Any) -> dict[str, Any]:
    return {"anyOf": [{"type": "integer", **bounds}, {"type": "string", "pattern": pattern}],
            "description": description}


AREA_SCHEMA = decimal_schema(AREA_PATTERN, "square metres, above 0, at most 4 decimals: a whole number or a "
                             "decimal string", exclusiveMinimum=0, maximum=int(MAX_AREA_M2) - 1)
MONEY_SCHEMA = decimal_schema(MONEY_PATTERN, "decimal CNY, at most 2 decimals: a whole number or a decimal string",
                              minimum=0, maximum=int(MAX_MONEY) - 1)
SHARE_SCHEMA = decimal_schema(SHARE_PATTERN, "percent, above 0 and at most 100 (60 % is 60, not 0.6)",
                              exclusiveMinimum=0, maximum=100)


# A GeoJSON outline as `geometry.geometry_problem` reads it: a Polygon or MultiPolygon of rings of
# at least 4 [longitude, latitude] positions in degrees. That a ring ends where it starts compares
# two of its items, which no schema states (the route lists it among its rules).
_POSITION: dict[str, Any] = {"type": "array", "minItems": 2, "items": {"type": "number"}, "prefixItems": [
    {"type": "number", "minimum": -180, "maximum": 180}, {"type": "number", "minimum": -90, "maximum": 90}]}
_POLYGON: dict[str, Any] = {"type": "array", "minItems": 1,
                            "items": {"type": "array", "minItems": 4, "items": _POSITION}}
_BBOX: dict[str, Any] = {"type": "array", "minItems": 4, "items": {"type": "number"}}
GEOMETRY_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "object", "required": ["type", "coordinates"], "additionalProperties": False,
     "properties": {"type": {"const": "Polygon"}, "coordinates": _POLYGON, "bbox": _BBOX}},
    {"type": "object", "required": ["type", "coordinates"], "additionalProperties": False,
     "properties": {"type": {"const": "MultiPolygon"}, "bbox": _BBOX,
                    "coordinates": {"type": "array", "minItems": 1, "items": _POLYGON}}},
    {"type": "null"},
], "description": "the outline, GeoJSON (WGS 84): a Polygon or MultiPolygon whose rings end where they start"}
