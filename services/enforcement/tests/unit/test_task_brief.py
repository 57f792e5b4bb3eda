"""An inspection task says where to go, whose land it is and why, in Chinese first."""

from __future__ import annotations

from datetime import UTC, datetime

from enforcement.domain.projections import InspectionTask
from enforcement.domain.task_brief import brief

AT = datetime(2025, 5, 6, 9, 0, tzinfo=UTC)


def task(**known: str | None) -> InspectionTask:
    return InspectionTask("t-1", "YZ-2024-0001", "ronghua", "91350100M000100Y43", "files revenue", "TAX-9", 2025, 2,
                          "open", AT, AT, None, None, **known)  # type: ignore[arg-type]


def test_a_task_names_the_street_the_parcel_the_holder_and_why_in_chinese() -> None:
    said = brief(task(parcel_name="亦庄精密制造基地", holder_uscc="91110302MA01A2B3C3", holder_name="北京亦庄精密制造有限公司"))
    assert said.street_name == "荣华街道"
    assert "亦庄精密制造基地" in said.why and "北京亦庄精密制造有限公司" in said.why
    assert "91350100M000100Y43" in said.why and "TAX-9" in said.why and "2025 年" in said.why
    assert "未经批准的出租" in said.why


def test_in_english_on_request_and_the_ids_stand_in_for_what_is_not_known_yet() -> None:
    said = brief(task(holder_uscc="91110302MA01A2B3C3"), "en")
    assert said.street_name == "Ronghua Street"
    assert "parcel YZ-2024-0001 YZ-2024-0001" in said.why and "rights holder: 91110302MA01A2B3C3" in said.why
    assert "unauthorised lease" in said.why
