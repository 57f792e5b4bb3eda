"""Year-on-year movement on the overview."""

from __future__ import annotations

from console.views.overview import movement


def test_movement_counts_up_down_and_new_ds_among_parcels_graded_both_years() -> None:
    last = [{"parcel_id": "P1", "grade": "B"}, {"parcel_id": "P2", "grade": "A"}, {"parcel_id": "P3", "grade": "C"},
            {"parcel_id": "P4", "grade": "D"}]
    this = [{"parcel_id": "P1", "grade": "A"}, {"parcel_id": "P2", "grade": "D"}, {"parcel_id": "P3", "grade": "C"},
            {"parcel_id": "P4", "grade": "D"}, {"parcel_id": "P9", "grade": "D"}]
    assert movement(this, last) == {"up": 1, "down": 1, "same": 2, "to_d": 1}
