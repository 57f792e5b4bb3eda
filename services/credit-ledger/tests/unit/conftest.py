from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credit_ledger.domain.grades import Grade, GradeFact, GradeStatus

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_fact() -> Callable[..., GradeFact]:
    counter = iter(range(1, 10_000))

    def make(grade: str = "A", parcel: str = "P-0001", holder: str = "91110302HOLDER0001",
             final: bool = True, minutes: int | None = None, **kw: Any) -> GradeFact:
        n = next(counter)
        return GradeFact(
            evaluation_id=kw.pop("evaluation_id", f"ev-{n}"), parcel_id=parcel, holder_uscc=holder,
            grade=Grade(grade), status=GradeStatus.FINAL if final else GradeStatus.PROVISIONAL,
            year=kw.pop("year", 2024), ruleset_version="etown-2024-draft",
            reasons=kw.pop("reasons", (f"grade {grade} reason",)),
            graded_at=T0 + timedelta(minutes=n if minutes is None else minutes),
        )

    return make
