"""Which lane a live grading's event takes: never ahead of its parcel-year's bulk event."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from evaluation.domain.grading import grade
from evaluation.domain.lanes import route
from evaluation.domain.records import BulkEvent, Current, Recorded

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _ids():
    counter = itertools.count(1)
    return lambda: f"ev-{next(counter)}"


def _recorded(make_facts, etown, evaluation_id: str, parcel_id: str = "P-1", year: int = 2025) -> Recorded:
    facts = make_facts(parcel_id=parcel_id, year=year)
    return Recorded.new(evaluation_id, grade(facts, etown), facts, None, "provisional", NOW)


def _current(evaluation_id: str, bulk: BulkEvent | None) -> Current:
    return Current(evaluation_id, "B", "provisional", "f", "荣华街道", "H", "etown", bulk)


def test_a_live_grading_after_a_bulk_event_resends_it_first_then_goes_live(make_facts, etown) -> None:
    yearly = BulkEvent("bulk-1", "e-run")
    first, second = _recorded(make_facts, etown, "e-2"), _recorded(make_facts, etown, "e-3")
    routes = route([(first, _current("e-run", yearly)), (second, None)], _ids())
    assert [(r.bulk, r.resend) for r in routes] == [(False, yearly), (False, None)]
    assert routes[0].bulk_event is None  # the parcel-year forgets it: it has been re-sent


def test_a_bulk_event_a_later_run_left_standing_is_re_sent_as_it_was(make_facts, etown) -> None:
    # A later run found nothing changed: a new current evaluation, no event; the run's is the latest.
    standing = BulkEvent("bulk-1", "e-run-1")
    [taken] = route([(_recorded(make_facts, etown, "e-2"), _current("e-run-2", standing))], _ids())
    assert (taken.bulk, taken.resend) == (False, standing)


def test_without_a_bulk_event_a_live_grading_goes_live_alone(make_facts, etown) -> None:
    routes = route([(_recorded(make_facts, etown, "e-2"), _current("e-1", None)),
                    (_recorded(make_facts, etown, "e-9", parcel_id="P-2"), None)], _ids())
    assert [(r.bulk, r.resend) for r in routes] == [(False, None), (False, None)]


def test_a_bulk_event_that_cannot_be_re_sent_is_followed_by_the_bulk_lane(make_facts, etown) -> None:
    corrected = BulkEvent("bulk-2", None)  # a re-evaluation's: its correction is not stored
    routes = route([(_recorded(make_facts, etown, "e-4"), _current("e-4", corrected)),
                    (_recorded(make_facts, etown, "e-5"), None)], _ids())
    assert [(r.bulk, r.resend) for r in routes] == [(True, None), (True, None)]
    # Each becomes the parcel-year's bulk event in turn; the second follows the first, unsent yet.
    assert routes[1].bulk_event == BulkEvent(routes[1].event_id, "e-5")


def test_parcel_years_are_routed_apart(make_facts, etown) -> None:
    yearly = BulkEvent("bulk-1", "e-run")
    other_year = _recorded(make_facts, etown, "e-5", year=2024)
    routes = route([(_recorded(make_facts, etown, "e-2"), _current("e-run", yearly)), (other_year, None)], _ids())
    assert routes[0].resend == yearly and routes[1].resend is None and not routes[1].bulk
