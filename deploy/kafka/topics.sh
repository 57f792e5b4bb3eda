#!/usr/bin/env bash
# Creates every landgrade topic: the event topics and one `<topic>.dlq` per consumed topic,
# with 12 partitions, replication factor 3 and min.insync.replicas 2 (with acks=all, which every
# landgrade producer uses, a write survives the loss of one broker and is refused rather than
# under-replicated when two are gone). Safe to re-run: existing topics are kept and their
# min.insync.replicas is set again; a partition count that differs is reported, never changed —
# adding partitions moves keys (parcel ids) to other partitions and breaks per-parcel ordering.
#
#   KAFKA_BOOTSTRAP=... KAFKA_ADMIN_PASSWORD=... KAFKA_CA_FILE=ca.crt ./topics.sh
#
# See lib.sh for the connection variables. Tunables: TOPIC_PARTITIONS (12), TOPIC_REPLICATION (3),
# TOPIC_MIN_ISR (2), DLQ_RETENTION_MS (30 days: time to find, fix and replay a dead letter).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

PARTITIONS="${TOPIC_PARTITIONS:-12}"
REPLICATION="${TOPIC_REPLICATION:-3}"
MIN_ISR="${TOPIC_MIN_ISR:-2}"
DLQ_RETENTION_MS="${DLQ_RETENTION_MS:-2592000000}"

admin_connect

create() {
  local topic="$1"; shift
  run "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" \
    --create --if-not-exists --topic "$topic" --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
    --config "min.insync.replicas=$MIN_ISR" "$@"
  run "$KAFKA_BIN/kafka-configs.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" \
    --alter --entity-type topics --entity-name "$topic" --add-config "min.insync.replicas=$MIN_ISR"
  if [ "${DRY_RUN:-0}" != 1 ]; then
    local count
    count="$("$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" \
      --describe --topic "$topic" | grep -o 'PartitionCount: *[0-9]*' | head -1 | grep -o '[0-9]*$')"
    if [ "$count" != "$PARTITIONS" ]; then
      echo "WARNING: $topic has $count partitions, not $PARTITIONS (left as it is)" >&2
    fi
  fi
}

for topic in $(event_topics); do
  create "$topic"
done
for topic in $(dlq_topics); do
  create "$topic" --config "retention.ms=$DLQ_RETENTION_MS"
done
echo "topics ready: $(event_topics | wc -l) event topics, $(dlq_topics | wc -l) dead-letter topics"
