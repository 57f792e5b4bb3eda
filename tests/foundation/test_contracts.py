"""The committed contracts are what the code produces; `make contracts` refreshes them."""

from landgrade.contracts import drift, generate


def test_committed_contracts_match_the_code() -> None:
    stale = drift(generate())
    assert stale == [], f"run `make contracts` and commit: {stale}"


def test_every_event_schema_names_its_type_and_topic() -> None:
    files = generate()
    events = {k: v for k, v in files.items() if k.startswith("events/")}
    assert len(events) >= 12
    for name, text in events.items():
        assert '"x-cloudevents-type": "landgrade.' in text, name
        assert '"x-topic": "landgrade.' in text, name
