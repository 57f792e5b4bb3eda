"""Which lane a live grading's event takes, so that it never overtakes its parcel-year's bulk event.

A whole-year write (a yearly run, a year's publication, a final year's re-evaluation) sends its grade
events by the bulk lane, which subscribers read apart from the live lane so that a year's backlog
never delays a live grading; the parcel-year's current grade remembers that event (`BulkEvent`).
A later live grading of the parcel-year then

- re-sends that event on the live lane first, same id and data (rebuilt from the evaluation it
  announced, kept for ever): a subscriber applies an event id once, so the bulk event takes effect
  before the live one on whichever lane reaches it first; the live event follows on the live lane,
  and the parcel-year forgets the bulk event. (A later run that found nothing changed leaves the
  bulk event remembered: it is still the parcel-year's latest event.)
- goes by the bulk lane itself, behind it, when that event cannot be re-sent as it was: it carried
  more than its evaluation keeps (a re-evaluation's correction: no announced evaluation is
  remembered), or it is being written in this same transaction. It becomes the parcel-year's bulk
  event in turn.

The order kept is per parcel-year, from a bulk event to the live ones after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from evaluation.domain.records import BulkEvent, Current, Recorded


@dataclass(frozen=True)
class Route:
    """One live grading's event: its id, its lane, and the bulk event re-sent just before it."""

    recorded: Recorded
    event_id: str
    bulk: bool
    resend: BulkEvent | None = None

    @property
    def bulk_event(self) -> BulkEvent | None:
        """What the parcel-year remembers once this event is written."""
        return BulkEvent(self.event_id, self.recorded.id) if self.bulk else None


def route(gradings: Iterable[tuple[Recorded, Current | None]], new_id: Callable[[], str]) -> list[Route]:
    """Routes for gradings in the order they are written, each with the current grade it replaced
    as read before the first of them (later ones of the same parcel-year follow the earlier)."""
    pending: dict[tuple[str, int], BulkEvent | None] = {}  # of the parcel-years graded here so far
    routes: list[Route] = []
    for recorded, previous in gradings:
        key = (recorded.evaluation.parcel_id, recorded.evaluation.year)
        if key in pending:  # a bulk event of this transaction's own, or none
            bulk = pending[key]
            taken = Route(recorded, new_id(), bulk=bulk is not None)
        else:
            bulk = previous.bulk_event if previous else None
            if bulk is None:
                taken = Route(recorded, new_id(), bulk=False)
            elif bulk.evaluation_id is not None:
                taken = Route(recorded, new_id(), bulk=False, resend=bulk)
            else:
                taken = Route(recorded, new_id(), bulk=True)
        pending[key] = taken.bulk_event
        routes.append(taken)
    return routes
