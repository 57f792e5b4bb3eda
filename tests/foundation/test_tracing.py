"""Trace context: child spans stay in their parent's trace; without a parent each starts its own."""

from __future__ import annotations

from types import SimpleNamespace

from servicekit.inbox import _traceparent
from servicekit.tracing import new_traceparent, new_traceparents, sampled, trace_id

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_many_children_of_one_parent_share_its_trace_and_get_their_own_spans() -> None:
    child = new_traceparents(PARENT)
    spans = [child() for _ in range(1000)]
    assert {trace_id(s) for s in spans} == {"0af7651916cd43dd8448eb211c80319c"}
    assert len({s.split("-")[2] for s in spans}) == 1000
    assert all(trace_id(s) is not None and s.endswith("-01") for s in spans)


def test_without_a_valid_parent_every_span_starts_a_trace_of_its_own() -> None:
    for parent in (None, "", "garbage", "00-XYZ-b7ad6b7169203331-01"):
        child = new_traceparents(parent)
        spans = [child() for _ in range(50)]
        assert len({trace_id(s) for s in spans}) == 50
    assert trace_id(new_traceparent(PARENT)) == trace_id(PARENT)


def test_a_child_keeps_its_parents_decision_to_record_the_trace_or_not() -> None:
    left_out = PARENT[:-2] + "00"
    assert new_traceparent(left_out).endswith("-00") and not sampled(new_traceparent(left_out))
    assert all(not sampled(s) for s in (new_traceparents(left_out)() for _ in range(10)))
    assert sampled(new_traceparent(PARENT)) and not sampled(None) and not sampled("garbage")


def test_a_record_whose_context_header_is_not_text_is_read_as_having_none() -> None:
    record = SimpleNamespace(headers=[("traceparent", b"\xff\xfe00-garbage")])
    assert trace_id(_traceparent(record)) is None
