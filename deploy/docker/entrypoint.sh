#!/bin/sh
# Entry point of the landgrade image.
#
#   serve [service]        migrate the service's database, then serve HTTP (default command)
#   migrate [service]      migrate only (one-off job before a release), then exit
#   healthcheck [service]  GET /healthz on this container (used by the image HEALTHCHECK)
#   landgrade ...          the operator CLI (token, dlq-replay, ...)
#   anything else          executed as given
#
# service: parcel-registry | evaluation | credit-ledger | enforcement | console; when omitted it comes
# from LANDGRADE_SERVICE.
set -eu

usage() {
  echo "usage: landgrade-entrypoint serve|migrate|healthcheck [parcel-registry|evaluation|credit-ledger|enforcement|console]" >&2
  exit 64
}

package_of() {
  case "$1" in
    parcel-registry) echo parcel_registry ;;
    evaluation) echo evaluation ;;
    credit-ledger) echo credit_ledger ;;
    enforcement) echo enforcement ;;
    console) echo console ;;
    *) echo "unknown service '$1'" >&2; usage ;;
  esac
}

default_port() {
  case "$1" in
    parcel-registry) echo 8001 ;;
    evaluation) echo 8002 ;;
    credit-ledger) echo 8003 ;;
    enforcement) echo 8004 ;;
    console) echo 8005 ;;
  esac
}

# aiokafka verifies the brokers' certificates against Python's default trust store. A private
# Kafka CA is appended to the system bundle and the process pointed at the result, so public CAs
# (a JWKS endpoint over HTTPS, for example) keep working.
trust_kafka_ca() {
  if [ -n "${KAFKA_SSL_CA_FILE:-}" ]; then
    bundle="${TMPDIR:-/tmp}/landgrade-ca-bundle.pem"
    system="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
    if [ -r "$system" ] && [ "$system" != "$bundle" ]; then
      cat "$system" "$KAFKA_SSL_CA_FILE" > "$bundle"
    else
      cat "$KAFKA_SSL_CA_FILE" > "$bundle"
    fi
    export SSL_CERT_FILE="$bundle"
  fi
}

command="${1:-serve}"
[ "$#" -gt 0 ] && shift

case "$command" in
  serve|migrate)
    service="${1:-${LANDGRADE_SERVICE:-}}"
    [ -n "$service" ] || { echo "no service given: set LANDGRADE_SERVICE or pass it after '$command'" >&2; usage; }
    package="$(package_of "$service")"
    ;;
esac

case "$command" in
  serve)
    trust_kafka_ca
    # Remembered for the healthcheck, which runs in a separate process with the image's env.
    echo "${HTTP_PORT:-$(default_port "$service")}" > "${TMPDIR:-/tmp}/landgrade-http-port" 2>/dev/null || true
    exec python -c "from ${package}.bootstrap import main; main()"
    ;;
  migrate)
    # The console keeps no database: nothing to migrate.
    [ "$service" = console ] && exit 0
    : "${DATABASE_URL:?DATABASE_URL must be set}"
    exec python -c "
import asyncio, os
from servicekit.logging import configure_logging
from servicekit.migrations import upgrade
from ${package}.bootstrap import MIGRATIONS
configure_logging('${service}', os.environ.get('LOG_LEVEL', 'INFO'))
asyncio.run(upgrade(os.environ['DATABASE_URL'], MIGRATIONS))
print('${service}: database migrated to head', flush=True)
"
    ;;
  healthcheck)
    # The port `serve` wrote down; else HTTP_PORT; else the service's default port.
    port=""
    if [ -r "${TMPDIR:-/tmp}/landgrade-http-port" ]; then
      port="$(cat "${TMPDIR:-/tmp}/landgrade-http-port")"
    fi
    port="${port:-${HTTP_PORT:-$(default_port "${1:-${LANDGRADE_SERVICE:-}}")}}"
    [ -n "$port" ] || { echo "healthcheck: unknown port (set LANDGRADE_SERVICE or HTTP_PORT)" >&2; exit 1; }
    exec python -c "
import sys, urllib.request
try:
    with urllib.request.urlopen('http://127.0.0.1:${port}/healthz', timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:
    print(f'healthz: {error}', file=sys.stderr)
    sys.exit(1)
"
    ;;
  landgrade)
    trust_kafka_ca
    exec landgrade "$@"
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
