# Shared by topics.sh and acls.sh: who produces and consumes what, and the admin connection.
# shellcheck shell=bash
#
# Environment:
#   KAFKA_BOOTSTRAP          brokers, e.g. kafka-1:9092,kafka-2:9092,kafka-3:9092     (required)
#   KAFKA_ADMIN_CONFIG       an existing client properties file for an admin principal; or:
#   KAFKA_ADMIN_USER         SCRAM user with the rights to create topics, users and ACLs (kafka-admin)
#   KAFKA_ADMIN_PASSWORD     its password
#   KAFKA_CA_FILE            PEM CA certificate that signed the brokers' certificates (SASL_SSL)
#   KAFKA_ADMIN_SECURITY_PROTOCOL   SASL_SSL (default), SASL_PLAINTEXT, or PLAINTEXT (the local
#                            cluster of `make run` with KAFKA_NODES=3: no credentials)
#   KAFKA_BIN                Kafka's bin directory (default /opt/kafka/bin, as in the apache/kafka image;
#                            locally: .venv/bin/python -c "from landgrade.devstack.kafka import tools_bin; print(tools_bin())")
#   KAFKA_CONSUMER_GROUP_PREFIX     the services' consumer-group prefix (default landgrade)
#   DRY_RUN=1                print the commands instead of running them

KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
GROUP_PREFIX="${KAFKA_CONSUMER_GROUP_PREFIX:-landgrade}"

PARCELS=landgrade.registry.parcels.v1
ENTERPRISES=landgrade.registry.enterprises.v1
REVENUE=landgrade.registry.revenue.v1
GRADES=landgrade.evaluation.grades.v1
GRADES_BULK=landgrade.evaluation.grades.bulk.v1
WARNINGS=landgrade.evaluation.warnings.v1
FINDINGS=landgrade.enforcement.findings.v1
CASES=landgrade.enforcement.cases.v1
RECORDS=landgrade.credit.records.v1
BENEFITS=landgrade.credit.benefits.v1
ANCHORS=landgrade.credit.anchors.v1

SERVICES=(parcel-registry evaluation credit-ledger enforcement)

# Topics a service publishes (its outbox relay writes them).
produces() {
  case "$1" in
    parcel-registry) echo "$PARCELS $ENTERPRISES $REVENUE" ;;
    evaluation) echo "$GRADES $GRADES_BULK $WARNINGS" ;;
    enforcement) echo "$FINDINGS $CASES" ;;
    credit-ledger) echo "$RECORDS $BENEFITS $ANCHORS" ;;
    *) echo "unknown service $1" >&2; return 1 ;;
  esac
}

# Topics a service consumes; it also writes `<topic>.dlq` for each of them.
consumes() {
  case "$1" in
    parcel-registry) echo "" ;;
    evaluation) echo "$PARCELS $ENTERPRISES $REVENUE $FINDINGS $CASES" ;;
    enforcement) echo "$GRADES $GRADES_BULK $PARCELS" ;;
    credit-ledger) echo "$GRADES $GRADES_BULK $ENTERPRISES $CASES" ;;
    *) echo "unknown service $1" >&2; return 1 ;;
  esac
}

# Every topic of the system: what is published, plus one dead-letter topic per consumed topic.
event_topics() {
  local service
  for service in "${SERVICES[@]}"; do produces "$service"; done | tr ' ' '\n' | sed '/^$/d' | sort -u
}
dlq_topics() {
  local service topic
  for service in "${SERVICES[@]}"; do
    for topic in $(consumes "$service"); do echo "$topic.dlq"; done
  done | sort -u
}

# The environment variable holding a client's SCRAM password: parcel-registry → PARCEL_REGISTRY_KAFKA_PASSWORD.
password_variable() {
  local name="${1//-/_}"
  echo "${name^^}_KAFKA_PASSWORD"
}

run() {
  if [ "${DRY_RUN:-0}" = 1 ]; then
    printf '%q ' "$@" | sed -e 's/password=[^],]*/password=***/g'
    echo
  else
    "$@"
  fi
}

# Writes a client properties file for the admin principal (or uses KAFKA_ADMIN_CONFIG), removed on exit.
ADMIN_CONFIG=""
admin_connect() {
  : "${KAFKA_BOOTSTRAP:?KAFKA_BOOTSTRAP must be set, e.g. kafka-1:9092,kafka-2:9092,kafka-3:9092}"
  if [ -n "${KAFKA_ADMIN_CONFIG:-}" ]; then
    ADMIN_CONFIG="$KAFKA_ADMIN_CONFIG"
  elif [ "${KAFKA_ADMIN_SECURITY_PROTOCOL:-}" = PLAINTEXT ]; then
    ADMIN_CONFIG="$(umask 077 && mktemp "${TMPDIR:-/tmp}/kafka-admin.XXXXXX")"
    trap 'rm -f "$ADMIN_CONFIG"' EXIT
    echo "security.protocol=PLAINTEXT" > "$ADMIN_CONFIG"
  else
    : "${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD (or KAFKA_ADMIN_CONFIG) must be set}"
    local protocol="${KAFKA_ADMIN_SECURITY_PROTOCOL:-SASL_SSL}"
    ADMIN_CONFIG="$(umask 077 && mktemp "${TMPDIR:-/tmp}/kafka-admin.XXXXXX")"
    trap 'rm -f "$ADMIN_CONFIG"' EXIT
    {
      echo "security.protocol=$protocol"
      echo "sasl.mechanism=SCRAM-SHA-512"
      echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required" \
           "username=\"${KAFKA_ADMIN_USER:-kafka-admin}\" password=\"$KAFKA_ADMIN_PASSWORD\";"
      if [ "$protocol" = SASL_SSL ] && [ -n "${KAFKA_CA_FILE:-}" ]; then
        echo "ssl.truststore.type=PEM"
        echo "ssl.truststore.location=$KAFKA_CA_FILE"
      fi
    } > "$ADMIN_CONFIG"
  fi
  [ "${DRY_RUN:-0}" = 1 ] && return 0
  # The cluster may still be electing a controller right after `docker compose up`.
  local attempt
  for attempt in $(seq 1 60); do
    if "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" \
         --list > /dev/null 2>&1; then
      return 0
    fi
    echo "waiting for Kafka at $KAFKA_BOOTSTRAP ($attempt/60)" >&2
    sleep 5
  done
  echo "Kafka at $KAFKA_BOOTSTRAP did not answer (check the address, the admin credentials and the CA)" >&2
  return 1
}
