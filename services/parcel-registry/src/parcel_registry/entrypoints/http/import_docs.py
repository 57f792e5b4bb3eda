"""What the OpenAPI document says of the sheet import: its body and its columns."""

from __future__ import annotations

from typing import Any

from parcel_registry.domain.row_cells import REQUIRED, aliases_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _columns() -> str:
    lines = []
    for column, aliases in aliases_of().items():
        needed = "required" if column in REQUIRED else "optional"
        lines.append(f"- `{column}` ({needed}): {', '.join(aliases)}")
    return "\n".join(lines)


IMPORT_DESCRIPTION = (
    "Send the sheet (CSV in UTF-8 or GB 18030, or XLSX) as the multipart field `file`, or as the raw body. "
    "Nothing is written unless every row is valid; a refusal lists the first problems as (sheet, row, column, "
    "message) and counts them all (`problems_total`). The file's size and its number of rows are bounded "
    "(settings `import_max_bytes`, `import_max_rows`); a sheet over `import_job_min_bytes` or "
    "`import_job_min_rows` is answered 202 with an import job to poll. A header may carry a unit, "
    "converted exactly: 面积(亩), 面积(公顷), 面积(㎡); 产值(万元), 税收(亿元). Columns (any of the headers "
    "listed):\n\n" + _columns()
)

IMPORT_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                       "properties": {"file": {"type": "string", "format": "binary",
                                               "description": "the sheet, .csv or .xlsx"}}},
            "encoding": {"file": {"contentType": f"text/csv, {XLSX}"}},
        },
        "text/csv": {"schema": {"type": "string", "format": "binary", "minLength": 1}},
        XLSX: {"schema": {"type": "string", "format": "binary", "minLength": 1}},
    },
}
