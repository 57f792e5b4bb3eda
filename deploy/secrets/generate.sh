#!/bin/sh
# Generates every secret the Compose deployment reads, once, into this directory (gitignored):
#
#   postgres.env          POSTGRES_PASSWORD and one password per service database role
#   kafka-broker.env      BROKER_CLUSTER_ID, BROKER_PASSWORD (user kafka-broker), KAFKA_ADMIN_PASSWORD
#   kafka-admin.env       KAFKA_ADMIN_PASSWORD and the SCRAM passwords acls.sh gives each client
#   <service>.env         DATABASE_URL, KAFKA_SASL_PASSWORD, JWT_SECRET
#                         (+ PERSON_ID_KEYS and PERSON_REF_KEY for parcel-registry)
#   tls/ca.key, ca.crt    the Kafka cluster's private CA (keep ca.key offline once brokers are issued)
#   tls/broker.pem        broker key + certificate (SANs kafka-1..3, localhost, $KAFKA_EXTERNAL_HOST)
#
#   KAFKA_EXTERNAL_HOST=kafka.example.internal sh deploy/secrets/generate.sh
#
# Needs openssl. Refuses to overwrite: the passwords are baked into the PostgreSQL and Kafka
# volumes at their first start, so regenerating means rotating (see kafka/SECURITY.md) or starting
# from empty volumes. Passwords are hex, so they are safe in URLs, SCRAM and JAAS syntax.
set -eu
cd "$(dirname "$0")"
umask 077

if [ -e postgres.env ] || [ -e tls ]; then
  echo "secrets already exist in $(pwd); move them away first (they must match the data volumes)" >&2
  exit 1
fi

secret() { openssl rand -hex 24; }
# Fernet key: 32 random bytes, URL-safe base64.
fernet_key() { openssl rand -base64 32 | tr '+/' '-_'; }
# KRaft cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'.
cluster_id() {
  while :; do
    id="$(openssl rand -base64 16 | tr '+/' '-_' | tr -d '=\n')"
    case "$id" in -*) ;; *) echo "$id"; return ;; esac
  done
}

jwt_secret="$(secret)"
kafka_admin="$(secret)"

{
  echo "POSTGRES_PASSWORD=$(secret)"
  for role in PARCEL_REGISTRY EVALUATION CREDIT_LEDGER ENFORCEMENT; do
    echo "${role}_DB_PASSWORD=$(secret)"
  done
} > postgres.env

{
  echo "BROKER_CLUSTER_ID=$(cluster_id)"
  echo "BROKER_PASSWORD=$(secret)"
  echo "KAFKA_ADMIN_PASSWORD=$kafka_admin"
} > kafka-broker.env

echo "KAFKA_ADMIN_PASSWORD=$kafka_admin" > kafka-admin.env
for service in parcel-registry evaluation credit-ledger enforcement; do
  upper="$(echo "$service" | tr 'a-z-' 'A-Z_')"
  database="$(echo "$service" | tr '-' '_')"
  db_password="$(sed -n "s/^${upper}_DB_PASSWORD=//p" postgres.env)"
  kafka_password="$(secret)"
  echo "${upper}_KAFKA_PASSWORD=$kafka_password" >> kafka-admin.env
  {
    echo "DATABASE_URL=postgresql+asyncpg://${database}:${db_password}@postgres:5432/${database}"
    echo "KAFKA_SASL_PASSWORD=$kafka_password"
    echo "JWT_SECRET=$jwt_secret"
    if [ "$service" = parcel-registry ]; then
      echo "PERSON_ID_KEYS=$(fernet_key)"
      echo "PERSON_REF_KEY=$(secret)"
    fi
  } > "$service.env"
done
echo "CREDIT_PLATFORM_KAFKA_PASSWORD=$(secret)" >> kafka-admin.env

mkdir tls
cat > tls/ca.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = landgrade-kafka-ca
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
cat > tls/broker.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = kafka-broker
CNF
sans="DNS:kafka-1,DNS:kafka-2,DNS:kafka-3,DNS:localhost,IP:127.0.0.1"
case "${KAFKA_EXTERNAL_HOST:-}" in
  "" | localhost) ;;
  *[!0-9.]*) sans="$sans,DNS:$KAFKA_EXTERNAL_HOST" ;;
  *) sans="$sans,IP:$KAFKA_EXTERNAL_HOST" ;;
esac
cat > tls/broker.ext <<EXT
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = $sans
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT

openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out tls/ca.key
openssl req -x509 -new -config tls/ca.cnf -key tls/ca.key -sha256 -days 3650 -out tls/ca.crt
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out tls/broker.key
openssl req -new -config tls/broker.cnf -key tls/broker.key -out tls/broker.csr
openssl x509 -req -in tls/broker.csr -CA tls/ca.crt -CAkey tls/ca.key -set_serial "0x$(openssl rand -hex 16)" \
  -days 825 -sha256 -extfile tls/broker.ext -out tls/broker.crt 2>/dev/null
cat tls/broker.key tls/broker.crt tls/ca.crt > tls/broker.pem
rm tls/broker.csr tls/broker.key
# Read inside the containers by other uids (the Kafka image's appuser, the services' uid 10001);
# the tls/ directory itself stays private (0700) on the host.
chmod 0644 tls/ca.crt tls/broker.pem

echo "secrets written to $(pwd) (postgres, kafka, four services, TLS); the credit platform's Kafka"
echo "password is CREDIT_PLATFORM_KAFKA_PASSWORD in kafka-admin.env, its CA certificate tls/ca.crt"
