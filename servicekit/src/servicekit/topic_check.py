"""A service's topics at start-up: created in development and tests, only checked anywhere else.

Outside development and test, topics are the platform's (Strimzi `KafkaTopic`s or
deploy/kafka/topics.sh, both from landgrade_events.topics): a service that created a missing one
would create it with the broker's defaults (often one replica) and so lose acknowledged events with
one disk. It therefore refuses to start unless every topic it publishes, consumes or dead-letters
exists with the expected partitions, replication factor and `min.insync.replicas`, and /readyz
keeps reporting a topic that later goes missing or changes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from servicekit.kafka import _security, ensure_topics
from servicekit.settings import ServiceSettings


@dataclass(frozen=True)
class TopicExpectation:
    """What production requires of every landgrade topic: the values of
    landgrade_events.topics.TopicSpec, which builds on servicekit and so cannot be imported here
    (tests/devstack/test_topic_check.py holds them equal)."""

    partitions: int = 12
    replication_factor: int = 3
    min_insync_replicas: int = 2


PRODUCTION = TopicExpectation()


class TopicCheckFailed(RuntimeError):
    """Start-up refused: the named topics are missing or differ from the specification."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Kafka topics do not match the specification (create or fix them with "
                         "deploy/kafka/topics.sh or the Strimzi KafkaTopics; services create none outside "
                         "development): " + "; ".join(problems))


async def topic_problems(settings: ServiceSettings, topics: Iterable[str],
                         expected: TopicExpectation = PRODUCTION) -> list[str]:
    """One line per topic that is missing or differs from `expected`, naming the topic; [] when all match."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    names = sorted(set(topics))
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=10000,
                                **_security(settings))
    await admin.start()
    try:
        # Only names the broker lists are described: a metadata request for an unknown name would
        # let a broker with auto.create.topics.enable create it with its defaults.
        listed = set(await admin.list_topics())
        present = [n for n in names if n in listed]
        described = {t["topic"]: t for t in await admin.describe_topics(present)} if present else {}
        present = [n for n in present if n in described and described[n]["error_code"] == 0]
        configs = _min_isr(await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, n, configs={"min.insync.replicas": None}) for n in present]
        )) if present else {}
    finally:
        await admin.close()
    problems = []
    for name in names:
        if name not in present:
            problems.append(f"{name}: missing")
            continue
        partitions = described[name]["partitions"]
        replicas = min((len(p["replicas"]) for p in partitions), default=0)
        differences = []
        if len(partitions) != expected.partitions:
            differences.append(f"{len(partitions)} partitions, expected {expected.partitions}")
        if replicas != expected.replication_factor:
            differences.append(f"replication factor {replicas}, expected {expected.replication_factor}")
        min_isr = configs.get(name)
        if min_isr != expected.min_insync_replicas:
            differences.append(f"min.insync.replicas {min_isr if min_isr is not None else 'unknown'}, "
                               f"expected {expected.min_insync_replicas}")
        if differences:
            problems.append(f"{name}: {', '.join(differences)}")
    return problems


def _min_isr(responses: list[Any]) -> dict[str, int]:
    found = {}
    for response in responses:
        for error_code, _message, _type, name, entries in response.resources:
            if error_code != 0:
                continue  # unknown: reported as a difference, never as a match
            for entry in entries:
                if entry[0] == "min.insync.replicas":
                    found[name] = int(entry[1])
    return found


@dataclass
class TopicGuard:
    """The start-up step and the readiness check of a service's topics."""

    settings: ServiceSettings
    topics: list[str]
    expected: TopicExpectation = PRODUCTION
    recheck_seconds: float = 30.0
    _checked: tuple[float, str] = (0.0, "not checked")

    @property
    def creates(self) -> bool:
        return self.settings.allows_development_secrets

    async def startup(self) -> None:
        if self.creates:
            await ensure_topics(self.settings, self.topics)
            return
        problems = await topic_problems(self.settings, self.topics, self.expected)
        if problems:
            raise TopicCheckFailed(problems)
        self._checked = (time.monotonic(), "ok")

    async def readiness(self) -> str:
        """"ok", or the topics that differ; re-read at most every `recheck_seconds` (a metadata and a
        config round trip per probe would be wasted: topics change rarely)."""
        if self.creates:
            return "ok"
        at, result = self._checked
        if time.monotonic() - at > self.recheck_seconds:
            try:
                problems = await topic_problems(self.settings, self.topics, self.expected)
                result = "ok" if not problems else "; ".join(problems)
            except Exception as error:
                result = f"unchecked: {type(error).__name__}"
            self._checked = (time.monotonic(), result)
        return result
