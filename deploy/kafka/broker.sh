#!/usr/bin/env bash
# Starts one node of the Compose Kafka cluster: apache/kafka image, KRaft, combined
# broker+controller, three nodes. Writes server.properties from the environment, formats the
# storage on first start (bootstrapping the two SCRAM super users), then runs the broker.
#
# Listeners (see SECURITY.md):
#   CLIENT     :9092  SASL_SSL, SCRAM-SHA-512   the services, inside the Compose network
#   INTERNAL   :9093  SASL_SSL, SCRAM-SHA-512   broker to broker (user kafka-broker)
#   CONTROLLER :9094  SSL with client certificates (KRaft controllers cannot use SCRAM)
#   EXTERNAL   :9095  SASL_SSL, SCRAM-SHA-512   outside clients (the credit platform, operators)
#
# Environment: BROKER_NODE_ID, BROKER_HOST (this node's name in the Compose network),
# BROKER_VOTERS (1@kafka-1:9094,...), BROKER_EXTERNAL_ADVERTISED (host:port outside clients use),
# and from secrets/kafka-broker.env: BROKER_CLUSTER_ID, BROKER_PASSWORD, KAFKA_ADMIN_PASSWORD.
# TLS files (secrets/tls): broker.pem (unencrypted PKCS#8 key + certificate chain) and ca.crt.
set -euo pipefail

: "${BROKER_NODE_ID:?}" "${BROKER_HOST:?}" "${BROKER_VOTERS:?}" "${BROKER_EXTERNAL_ADVERTISED:?}"
: "${BROKER_CLUSTER_ID:?}" "${BROKER_PASSWORD:?}" "${KAFKA_ADMIN_PASSWORD:?}"
TLS_DIR="${BROKER_TLS_DIR:-/etc/kafka/secrets/tls}"
DATA_DIR="${BROKER_DATA_DIR:-/var/lib/kafka/data}"

umask 077
CONFIG="$(mktemp -d)/server.properties"
cat > "$CONFIG" <<PROPERTIES
process.roles=broker,controller
node.id=${BROKER_NODE_ID}
controller.quorum.voters=${BROKER_VOTERS}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listeners=CLIENT://:9092,INTERNAL://:9093,CONTROLLER://:9094,EXTERNAL://:9095
advertised.listeners=CLIENT://${BROKER_HOST}:9092,INTERNAL://${BROKER_HOST}:9093,EXTERNAL://${BROKER_EXTERNAL_ADVERTISED}
listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SASL_SSL,EXTERNAL:SASL_SSL,CONTROLLER:SSL

sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="kafka-broker" password="${BROKER_PASSWORD}";
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.external.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;

ssl.keystore.type=PEM
ssl.keystore.location=${TLS_DIR}/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=${TLS_DIR}/ca.crt
ssl.enabled.protocols=TLSv1.3,TLSv1.2
ssl.endpoint.identification.algorithm=https
listener.name.controller.ssl.client.auth=required
# The controller listener authenticates by certificate: CN=kafka-broker becomes User:kafka-broker.
ssl.principal.mapping.rules=RULE:^CN=([a-zA-Z0-9._-]+).*\$/\$1/,DEFAULT

authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:kafka-broker;User:kafka-admin

log.dirs=${DATA_DIR}
num.partitions=12
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
auto.create.topics.enable=false
unclean.leader.election.enable=false
log.retention.hours=168
group.initial.rebalance.delay.ms=3000
PROPERTIES

if [ ! -f "$DATA_DIR/meta.properties" ]; then
  # SCRAM credentials live in the cluster metadata; the first two are written at format time
  # (KIP-900). Every other user is created by acls.sh through kafka-admin.
  /opt/kafka/bin/kafka-storage.sh format --config "$CONFIG" --cluster-id "$BROKER_CLUSTER_ID" --ignore-formatted \
    --add-scram "SCRAM-SHA-512=[name=kafka-broker,password=${BROKER_PASSWORD}]" \
    --add-scram "SCRAM-SHA-512=[name=kafka-admin,password=${KAFKA_ADMIN_PASSWORD}]"
fi

exec /opt/kafka/bin/kafka-server-start.sh "$CONFIG"
