"""Whatever a log line carries, a resident ID number in it is masked before the line is written."""

from __future__ import annotations

from servicekit.logging import _redact_event

ID_NUMBER = "11010519491231002X"


def test_an_id_number_is_masked_alone_inside_text_and_in_any_field() -> None:
    line = {"event": "request", "path": f"/v1/persons/{ID_NUMBER}", "person": ID_NUMBER,
            "note": f"named {ID_NUMBER}, then 110105194912310037.", "status": 200, "short": "110105"}
    redacted = _redact_event(None, "info", dict(line))
    assert redacted["person"] == "110105********002X"
    assert redacted["path"] == "/v1/persons/110105********002X"
    assert redacted["note"] == "named 110105********002X, then 110105********0037."
    assert ID_NUMBER not in str(redacted)
    assert {k: redacted[k] for k in ("event", "status", "short")} == {"event": "request", "status": 200, "short": "110105"}


def test_longer_digit_runs_are_not_id_numbers() -> None:
    line = {"trace": "4bf92f3577b34da6a3ce929d0e0e4736", "amount": "1234567890123456789012"}
    assert _redact_event(None, "info", dict(line)) == line
