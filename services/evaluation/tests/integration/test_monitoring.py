"""Dynamic monitoring (动态监测) on real Kafka and PostgreSQL: warnings follow the filings of the
current year — raised when an A parcel falls behind its own pattern, withdrawn once it catches up —
listed by street, carried on the grade document, and announced on their own topic."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from landgrade.testing import eventually, read_events, token
from landgrade_events.evaluation import WARNINGS

from .conftest import READ, STREET

# Beijing, August 2025: the current year is 2025, its Q1 and Q2 filed.
CLOCK_AT = datetime(2025, 8, 20, 10, 0)
YEAR = 2025
OTHER_STREET_OFFICE = token("findings:write", jurisdiction="博兴街道")
OWN_STREET_OFFICE = token("findings:write", jurisdiction=STREET)


def pid() -> str:
    return f"P-W-{uuid.uuid4().hex[:8]}"


async def _warnings(service: Any, headers: dict[str, str] = READ, **params: Any) -> Any:
    return await service.client.get("/v1/warnings", params={"year": YEAR, **params}, headers=headers)


async def _a_parcel_with_two_even_years(service: Any) -> tuple[str, str]:
    """1 ha; 1亿元 output and 750万元 tax in each quarter of 2023 and 2024: A in 2024."""
    parcel, holder = pid(), service.uscc()
    await service.parcel(parcel, holder)
    await service.grade_becomes(parcel, "B", YEAR)  # registered: graded (no filing) for the current year
    for year in (2023, 2024):
        for q in (1, 2, 3, 4):
            await service.filing(parcel, holder, year, "100000000", "7500000", quarter=q, filings=q,
                                 year_output=str(100_000_000 * q), year_tax=str(7_500_000 * q))
    await service.grade_becomes(parcel, "A", 2024)
    return parcel, holder


async def test_falling_behind_raises_a_warning_and_catching_up_withdraws_it(service, infra) -> None:
    parcel, holder = await _a_parcel_with_two_even_years(service)
    await service.filing(parcel, holder, YEAR, "50000000", "7500000", quarter=1, filings=1)
    behind = await service.filing(parcel, holder, YEAR, "50000000", "7500000", quarter=2, filings=2,
                                  year_output="100000000", year_tax="15000000")

    async def listed() -> Any:
        body = (await _warnings(service, street="荣华街道")).json()
        return body if any(w["parcel_id"] == parcel for w in body["items"]) else None

    body = await eventually(listed)
    [warning] = [w for w in body["items"] if w["parcel_id"] == parcel]
    assert body["total"] >= 1 and body["year"] == YEAR
    assert (warning["measure"], warning["at_risk_of"], warning["quarter"]) == ("output_per_ha", "B", 2)
    assert warning["projected_per_ha"] == "200000000.00" and warning["threshold_per_ha"] == "300000000.00"
    assert warning["nature"] == "projection" and warning["pattern_years"] == [2023, 2024]
    assert warning["zh"].startswith("有降为B类的风险：预计全年地均产值 2亿元/公顷")

    grade = await service.grade(parcel, YEAR)
    assert grade is not None and grade["grade"] == "B"  # the year so far; the warning is beside it
    assert [w["measure"] for w in grade["warnings"]] == ["output_per_ha"]

    # Street offices read their own street's warnings only.
    own = (await _warnings(service, OWN_STREET_OFFICE)).json()
    assert any(w["parcel_id"] == parcel for w in own["items"])
    other = (await _warnings(service, OTHER_STREET_OFFICE)).json()
    assert all(w["parcel_id"] != parcel for w in other["items"])
    refused = await _warnings(service, OTHER_STREET_OFFICE, street=STREET)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"

    catch_up = await service.filing(parcel, holder, YEAR, "80000000", "0", quarter=2, filings=3,
                                    year_output="180000000", year_tax="15000000")

    async def withdrawn() -> bool:
        body = (await _warnings(service)).json()
        return all(w["parcel_id"] != parcel for w in body["items"])

    assert await eventually(withdrawn)
    grade = await service.grade(parcel, YEAR)
    assert grade is not None and grade["warnings"] == []

    events = await read_events(infra.bootstrap, WARNINGS, lambda e: e.subject == parcel, count=2)
    assert [e.data["change"] for e in events] == ["raised", "withdrawn"]
    assert events[0].data["triggering_event_id"] == behind.id and events[0].data["nature"] == "projection"
    assert events[0].data["street"] == STREET and events[0].data["projected_per_ha"] == "200000000.00"
    assert events[1].data["triggering_event_id"] == catch_up.id


async def test_the_list_is_paged_by_cursor_and_refuses_bad_input(service) -> None:
    first, holder = await _a_parcel_with_two_even_years(service)
    second, other = await _a_parcel_with_two_even_years(service)
    for parcel, filer in ((first, holder), (second, other)):
        await service.filing(parcel, filer, YEAR, "50000000", "2500000", quarter=2, filings=1)

    async def both() -> Any:
        body = (await _warnings(service, limit=500)).json()
        return body if {first, second} <= {w["parcel_id"] for w in body["items"]} else None

    everything = await eventually(both)
    seen, after = [], None
    while True:
        page = (await _warnings(service, limit=1, **({"after": after} if after else {}))).json()
        assert page["total"] == everything["total"]
        seen += [(w["parcel_id"], w["measure"]) for w in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert seen == [(w["parcel_id"], w["measure"]) for w in everything["items"]]
    assert {(first, "output_per_ha"), (first, "tax_per_ha")} <= set(seen)

    tax_only = (await _warnings(service, measure="tax_per_ha")).json()
    assert tax_only["items"] and all(w["measure"] == "tax_per_ha" for w in tax_only["items"])
    for params, field in (({"measure": "rent"}, "measure"), ({"after": "P-1"}, "after"),
                          ({"street": "no-such-street"}, "street")):
        refused = await _warnings(service, **params)
        assert refused.status_code == 422, params
        assert field in refused.text


async def test_the_rulesets_outlook_settings_are_shown(service) -> None:
    document = (await service.client.get("/v1/rulesets/etown-2024-draft", headers=READ)).json()
    assert document["outlook"] == {"warn_from_quarter": 2, "min_history_years": 2, "min_share": "0.05",
                                   "range_widening": "0"}
