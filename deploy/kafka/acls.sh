#!/usr/bin/env bash
# Creates the SCRAM-SHA-512 users and the ACLs of landgrade: one principal per service and one per
# outside client, each allowed exactly what it needs (the brokers deny everything else:
# allow.everyone.if.no.acl.found=false).
#
#   service / client   WRITE (+DESCRIBE)                           READ (+DESCRIBE)                   consumer groups (READ, prefixed)
#   parcel-registry    registry.parcels, .enterprises, .revenue   -                                   -
#   evaluation         evaluation.grades, .grades.bulk,           registry.parcels, .enterprises,     landgrade.evaluation*
#                      .warnings;                                 .revenue, enforcement.findings,
#                      DLQs of the five topics it reads           enforcement.cases
#   enforcement        enforcement.findings, .cases;              evaluation.grades, .grades.bulk,    landgrade.enforcement*
#                      DLQs of the three topics it reads          registry.parcels
#   credit-ledger      credit.records, .benefits, .anchors;       evaluation.grades, .grades.bulk,    landgrade.credit-ledger*
#                      DLQs of the four topics it reads           registry.enterprises, enforcement.cases
#   credit-platform    -                                          evaluation.grades, .grades.bulk     credit-platform*
#
# Consumer groups are `<KAFKA_CONSUMER_GROUP_PREFIX>.<consumer name>` and every consumer name starts
# with its service's name (evaluation-facts, enforcement-grades, credit-ledger.grades, a bulk lane's
# credit-ledger.grades.bulk, ...), so one prefixed ACL per service covers its groups and no other service's.
#
# Passwords come from the environment: PARCEL_REGISTRY_KAFKA_PASSWORD, EVALUATION_KAFKA_PASSWORD,
# CREDIT_LEDGER_KAFKA_PASSWORD, ENFORCEMENT_KAFKA_PASSWORD, CREDIT_PLATFORM_KAFKA_PASSWORD
# (letters and digits; they are written into SCRAM and JAAS syntax). Setting a password again
# replaces the credential (that is how a password is rotated, see SECURITY.md).
#
# Options (environment): KAFKA_MANAGE_USERS=0 only writes ACLs (users managed elsewhere);
# KAFKA_USER_SUFFIX=-b creates a second set of principals (parcel-registry-b, ...) for a
# rotation without downtime; CREDIT_PLATFORM_GROUP_PREFIX (credit-platform); SCRAM_ITERATIONS
# (8192); DRY_RUN=1. Connection variables: see lib.sh. Safe to re-run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

SUFFIX="${KAFKA_USER_SUFFIX:-}"
PLATFORM_GROUPS="${CREDIT_PLATFORM_GROUP_PREFIX:-credit-platform}"

admin_connect

user() {
  local name="$1" variable
  variable="$(password_variable "$2")"
  [ "${KAFKA_MANAGE_USERS:-1}" = 1 ] || return 0
  if [ -z "${!variable:-}" ]; then
    echo "$variable is not set: cannot create the SCRAM user $name" >&2
    return 1
  fi
  run "$KAFKA_BIN/kafka-configs.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" \
    --alter --entity-type users --entity-name "$name" \
    --add-config "SCRAM-SHA-512=[iterations=${SCRAM_ITERATIONS:-8192},password=${!variable}]"
}

allow() {
  local principal="$1"; shift
  run "$KAFKA_BIN/kafka-acls.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" \
    --add --allow-principal "User:$principal" "$@"
}

for service in "${SERVICES[@]}"; do
  principal="$service$SUFFIX"
  user "$principal" "$service"
  for topic in $(produces "$service"); do
    allow "$principal" --operation Write --operation Describe --topic "$topic"
  done
  consumed="$(consumes "$service")"
  for topic in $consumed; do
    allow "$principal" --operation Read --operation Describe --topic "$topic"
    allow "$principal" --operation Write --operation Describe --topic "$topic.dlq"
  done
  if [ -n "$consumed" ]; then
    allow "$principal" --operation Read --operation Describe \
      --group "$GROUP_PREFIX.$service" --resource-pattern-type prefixed
  fi
done

# The outside credit platform reads published grades, on both lanes; nothing else.
principal="credit-platform$SUFFIX"
user "$principal" credit-platform
for topic in "$GRADES" "$GRADES_BULK"; do
  allow "$principal" --operation Read --operation Describe --topic "$topic"
done
allow "$principal" --operation Read --operation Describe --group "$PLATFORM_GROUPS" --resource-pattern-type prefixed

echo "users and ACLs in place; list them with:"
echo "  $KAFKA_BIN/kafka-acls.sh --bootstrap-server $KAFKA_BOOTSTRAP --command-config <admin.properties> --list"
