"""Writes (or checks) the published contracts in `contracts/`: each service's OpenAPI document,
a JSON Schema per event type and one AsyncAPI 3.0 document for all topics.

    python -m landgrade.contracts write    # after changing an API or an event
    python -m landgrade.contracts check    # exit 1 when the committed files drift from the code
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from landgrade_events.evaluation import GRADES_BULK
from servicekit.events import CloudEvent, EventData

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
SERVICES = {"parcel-registry": "parcel_registry", "evaluation": "evaluation",
            "credit-ledger": "credit_ledger", "enforcement": "enforcement"}
# What each bulk topic (`EventData.BULK_TOPIC`) carries, for its channel's description.
BULK_LANES = {
    GRADES_BULK: "whole-year writes of grades (a yearly run, a year's publication and finalisation, the "
                 "re-evaluation of a final year), one event per parcel, and a year's publication behind them",
}


def _dump(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def openapi_documents() -> dict[str, str]:
    documents = {}
    for service, package in SERVICES.items():
        bootstrap = importlib.import_module(f"{package}.bootstrap")
        settings = importlib.import_module(f"{package}.settings").Settings()
        app = bootstrap.build_app(settings, run_background=False)
        documents[f"openapi/{service}.json"] = _dump(app.openapi())
    return documents


def event_schema(model: type[EventData]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    bulk = {"x-bulk-topic": model.BULK_TOPIC} if model.BULK_TOPIC else {}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "x-cloudevents-type": model.TYPE,
            "x-topic": model.TOPIC, **bulk, **schema}


def bulk_lane_descriptions(models: list[type[EventData]], topic: str, bulk_topic: str) -> tuple[str, str]:
    """The descriptions of a live channel and of its bulk lane: what the lane carries and the rule
    for subscribers (read both, apply an event id once)."""
    names = ", ".join(model.__name__ for model in models)
    live = (f"Whole-year writes ({names}) go on `{bulk_topic}` instead. A subscriber reads both topics and "
            f"applies an event id once (see that channel).")
    bulk = (f"The bulk lane of `{topic}`: {BULK_LANES[bulk_topic]}. {names} as on `{topic}`, same schemas, "
            f"published apart so that a year's backlog never delays a live event. A subscriber reads both topics, "
            f"each in a consumer group of its own, and applies an event id once, on whichever lane delivers it "
            f"first: to keep a parcel's order, an event of this lane is sent again on `{topic}` (same CloudEvent "
            f"id, same data) just before a live event for the same parcel and year that follows it, so the same "
            f"id can arrive on both topics.")
    return live, bulk


def _channel(channels: dict[str, Any], address: str) -> dict[str, Any]:
    """The messages of the channel at `address`, made on first use."""
    channel = channels.setdefault(address, {"address": address})
    messages: dict[str, Any] = channel.setdefault("messages", {})
    return messages


def asyncapi(events: list[type[EventData]]) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    envelope = CloudEvent.model_json_schema()
    envelope["properties"].pop("data", None)
    for model in events:
        name = model.__name__
        messages[name] = {
            "name": model.TYPE, "title": name, "summary": (model.__doc__ or "").strip().split("\n")[0],
            "contentType": "application/cloudevents+json",
            "headers": {"type": "object", "properties": {"traceparent": {"type": "string"}}},
            "payload": {"allOf": [{"$ref": "#/components/schemas/CloudEvent"},
                                  {"type": "object", "properties": {
                                      "type": {"const": model.TYPE},
                                      "data": {"$ref": f"./events/{model.TYPE}.schema.json"}}}]},
            "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id (subject)"}}},
        }
        _channel(channels, model.TOPIC)[name] = {"$ref": f"#/components/messages/{name}"}
        if model.BULK_TOPIC:
            _channel(channels, model.BULK_TOPIC)[name] = {"$ref": f"#/components/messages/{name}"}
    for bulk_topic in sorted({model.BULK_TOPIC for model in events if model.BULK_TOPIC}):
        lane = [model for model in events if model.BULK_TOPIC == bulk_topic]
        live, bulk = bulk_lane_descriptions(lane, lane[0].TOPIC, bulk_topic)
        channels[lane[0].TOPIC]["description"], channels[bulk_topic]["description"] = live, bulk
    for topic in channels:
        operations[f"publish:{topic}"] = {"action": "send", "channel": {"$ref": f"#/channels/{topic}"}}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "landgrade events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 (structured JSON) on Kafka; key = aggregate id; "
                                "schemas grow additively within v1, a breaking change is a v2 topic."},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": {"CloudEvent": envelope}},
    }


def generate() -> dict[str, str]:
    from landgrade_events import ALL_EVENTS

    files = openapi_documents()
    for model in ALL_EVENTS:
        files[f"events/{model.TYPE}.schema.json"] = _dump(event_schema(model))
    files["asyncapi.json"] = _dump(asyncapi(ALL_EVENTS))
    return files


def drift(files: dict[str, str]) -> list[str]:
    problems = []
    for name, text in files.items():
        path = CONTRACTS / name
        if not path.exists() or path.read_text() != text:
            problems.append(name)
    known = {str(p.relative_to(CONTRACTS)) for p in CONTRACTS.rglob("*.json")}
    problems += sorted(f"{name} (no longer generated)" for name in known - set(files))
    return problems


def main(argv: list[str]) -> int:
    files = generate()
    if argv[:1] == ["check"]:
        stale = drift(files)
        for name in stale:
            print(f"contract drift: contracts/{name}")
        return 1 if stale else 0
    for old in CONTRACTS.rglob("*.json"):
        old.unlink()
    for name, text in files.items():
        path = CONTRACTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(files)} contract files to {CONTRACTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
