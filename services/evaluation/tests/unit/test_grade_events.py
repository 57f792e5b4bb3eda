"""The grade event's plain-JSON path (yearly runs) matches the pydantic contract exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import orjson

from evaluation.adapters.grades_repository import envelope
from evaluation.domain.facts import ContractBreach, HolderAttitude, Violation, ViolationKind
from evaluation.domain.grading import grade
from evaluation.domain.records import Current, Recorded
from evaluation.service_layer.outgoing import grade_document, grade_event
from landgrade_events.evaluation import ParcelGraded
from servicekit.events import CloudEvent


def test_document_and_contract_agree_and_the_envelope_round_trips(make_facts, etown) -> None:
    samples = [
        make_facts(),
        make_facts(output_value=D("12345.67"), breaches=(ContractBreach("B-1"),)),
        make_facts(
            violations=(
                Violation(
                    "F-1",
                    ViolationKind.UNAUTHORISED_LEASE,
                    tenant_uscc="91110115MA00TENT2K",
                    holder_attitude=HolderAttitude.UNDETERMINED,
                ),
            )
        ),
    ]
    now = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    previous = Current("e0", "B", "final", "x", "荣华街道", "H")
    for facts in samples:
        recorded = Recorded.new("e1", grade(facts, etown), facts, previous, "provisional", now, run_id="run-1")
        document = grade_document(recorded)
        assert grade_event(recorded).model_dump(mode="json") == document
        payload = envelope("evaluation", document, "2026-01-02T03:04:05.678000Z", "0c6e7f5a-0000-4000-8000-000000000001")
        event = CloudEvent.from_bytes(payload)
        assert event.time == now
        assert (event.type, event.subject, event.source) == (ParcelGraded.TYPE, facts.parcel_id, "evaluation")
        parsed = event.unwrap(ParcelGraded)
        assert parsed.previous_grade == "B" and parsed.run_id == "run-1" and parsed.evaluated_at == now
        assert [r.code for r in parsed.reasons] == [r.code for r in recorded.evaluation.reasons]
        # One name for one thing: the REST names beside the first event names, with the same values.
        for sent, kept in zip(parsed.reasons, recorded.evaluation.reasons, strict=True):
            assert (sent.clause_id, sent.zh, sent.en) == (sent.clause, sent.text_zh, sent.text_en)
            assert (sent.clause_id, sent.zh, sent.en) == (kept.clause_id, kept.zh, kept.en)
            assert set(kept.to_dict()) >= {"clause_id", "zh", "en"}
        assert "review_case_needed" in parsed.flags or not recorded.evaluation.review_case_needed


def test_the_first_reason_names_are_marked_deprecated_in_the_schema() -> None:
    schema = ParcelGraded.model_json_schema()["$defs"]["Reason"]["properties"]
    assert all(schema[old].get("deprecated") is True for old in ("clause", "text_zh", "text_en"))
    assert all("deprecated" not in schema[new] for new in ("clause_id", "zh", "en"))


def test_a_yearly_run_stores_reasons_and_metrics_as_their_dicts_spell_them(make_facts, etown) -> None:
    """The run's COPY writes `orjson.dumps(evaluation.reasons)` straight from the dataclasses; a
    reader decodes rows with `Reason.from_dict`, so the two spellings must never part."""
    samples = [make_facts(), make_facts(output_value=D("12345.67"), breaches=(ContractBreach("B-1"),)),
               make_facts(violations=(Violation("F-1", ViolationKind.UNAUTHORISED_LEASE,
                                                tenant_uscc="91110115MA00TENT2K",
                                                holder_attitude=HolderAttitude.REFUSES_TO_CORRECT),))]
    for facts in samples:
        evaluation = grade(facts, etown)
        assert any(r.grade is None for r in evaluation.reasons) or any(r.values for r in evaluation.reasons)
        assert orjson.dumps(evaluation.reasons) == orjson.dumps([r.to_dict() for r in evaluation.reasons])
        first = evaluation.metrics.to_dict()
        first["area_ha"] = "changed by a caller"
        assert evaluation.metrics.to_dict()["area_ha"] != "changed by a caller"  # each caller gets its own
