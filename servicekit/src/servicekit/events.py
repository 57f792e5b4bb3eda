"""CloudEvents 1.0 envelope (structured JSON mode, used everywhere) and the base of event models.

An event model names its `TYPE` (`landgrade.<service>.<event>.v1`) and `TOPIC`
(`landgrade.<service>.<stream>.v1`); its `key()` is the aggregate id, used as the Kafka key and
the CloudEvents `subject`, so one aggregate's events stay in order on one partition.
"""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field

from servicekit.ids import new_id

CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
E = TypeVar("E", bound="EventData")


class EventData(BaseModel):
    """Payload of one event type. Consumers ignore unknown fields: schemas grow additively in v1."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    TYPE: ClassVar[str]
    TOPIC: ClassVar[str]
    # The topic of the type's bulk lane (a whole year's events, say), when it has one: written to
    # the outbox's bulk lane and consumed apart from `TOPIC` (`inbox.Subscription.bulk_lane`).
    BULK_TOPIC: ClassVar[str | None] = None

    def key(self) -> str:
        raise NotImplementedError


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=new_id)
    source: str = Field(json_schema_extra={"format": "uri-reference", "examples": ["/landgrade/evaluation"]},
                        description="The system and the service that wrote the event: `/landgrade/<service>`.")
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    data: dict[str, Any]

    @classmethod
    def wrap(cls, data: EventData, source: str, event_id: str | None = None) -> CloudEvent:
        return cls(
            id=event_id or new_id(), source=source, type=data.TYPE, subject=data.key(),
            data=data.model_dump(mode="json"),
        )

    def unwrap(self, model: builtins.type[E]) -> E:  # `type` is also a field of the envelope
        return model.model_validate(self.data)

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"))

    @classmethod
    def from_bytes(cls, raw: bytes) -> CloudEvent:
        return cls.model_validate_json(raw)


def source_uri(service: str) -> str:
    """The CloudEvents `source` of a service's events: a URI reference naming the system and the service."""
    return f"/landgrade/{service}"


def utc_text(at: datetime) -> str:
    """A UTC instant as pydantic writes it in JSON ("...T03:04:05Z", "...T03:04:05.000007Z")."""
    return at.isoformat().replace("+00:00", "Z")


def envelope_bytes(source: str, event_type: str, subject: str | None, data: dict[str, Any], event_id: str,
                   time: str) -> bytes:
    """The structured CloudEvent, byte for byte as `CloudEvent(...).to_bytes()` writes it (same keys in
    the same order), without building and dumping the model: outboxes write thousands a second, and
    the model's round trip costs more than their SQL. `data` is the event's JSON form; `time` from
    `utc_text`."""
    return orjson.dumps({
        "specversion": "1.0", "id": event_id, "source": source, "type": event_type, "subject": subject,
        "time": time, "datacontenttype": "application/json", "data": data,
    })
