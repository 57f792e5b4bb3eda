from pathlib import Path

from pydantic import Field

from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "evaluation"
    http_port: int = 8002
    # Current-grade answers kept in memory, dropped on the database's change notices; 0: none.
    grade_read_cache_entries: int = Field(default=20_000, ge=0)
    # The State Council's holiday notices for years the bundled calendar data does not know yet
    # (JSON, see docs/operating.md): objection windows into such a year are refused until it is.
    official_calendar_file: Path | None = None
