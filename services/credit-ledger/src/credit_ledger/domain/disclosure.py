"""What the public list of quality holders says about a holder whose A has since been called into
question.

A parcel is on the list by its latest FINAL grading of the year being A. A newer grading of the
parcel (a provisional one after a violation was found, or a later year's) at or below
`review_from` means the A no longer stands for the parcel's present state: the list says so at
the same moment the benefits register withdraws the A's benefits, and the holder returns as soon
as the parcel's latest grading is better again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .grades import Grade


class Downgraded(enum.StrEnum):
    """What the public list does with a holder whose newest grading is at or below `review_from`."""

    WITHHOLD = "withhold"  # left off the list until the grade returns
    UNDER_REVIEW = "under_review"  # listed, marked as under review


@dataclass(frozen=True)
class PublicListPolicy:
    review_from: Grade = Grade.D
    downgraded: Downgraded = Downgraded.WITHHOLD

    def reviewed(self, newest: Grade | None) -> bool:
        """True when the parcel's newest grading after its listed final A calls the A into question."""
        return newest is not None and newest.rank >= self.review_from.rank

    @property
    def review_grades(self) -> tuple[str, ...]:
        return tuple(g.value for g in Grade if g.rank >= self.review_from.rank)
