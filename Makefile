# landgrade — `make run` starts everything, `make test` tests everything. Both install first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PYTEST_ARGS ?=

.PHONY: install run test test-unit test-e2e test-reliability lint contracts manifests bench lock kafka-jars clean

KUSTOMIZATIONS := deploy/k8s deploy/k8s/migrate deploy/k8s/platform/kafka deploy/k8s/overlays/strimzi \
	deploy/k8s/overlays/cloudnative-pg deploy/k8s/overlays/cloudnative-pg/migrate deploy/k8s/overlays/production

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@command -v java >/dev/null || { echo "Java 17+ is needed for the local Kafka broker"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed to fetch the Kafka broker"; exit 1; }
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q 'uv>=0.13,<0.14'
	$(UV) pip install -q --python $(PY) -r requirements.lock
	touch $@

kafka-jars: install
	$(PY) -c "from landgrade.devstack.kafka import ensure_jars; print('Kafka broker jars:', ensure_jars())"

run: install kafka-jars
	$(PY) -m landgrade.devstack.stack

test: install kafka-jars browser
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-unit: install
	$(PY) -m pytest -q -m "not infra" reference/tests services/*/tests/unit $(PYTEST_ARGS)

test-e2e: install kafka-jars
	$(PY) -m pytest -q tests/e2e $(PYTEST_ARGS)

test-reliability: install kafka-jars
	LANDGRADE_RELIABILITY=full $(PY) -m pytest -q tests/reliability $(PYTEST_ARGS)

# ruff; mypy --strict over every package (the list is in pyproject.toml); the layer contracts
# in .importlinter (pure domains, plumbing that knows no service, services that never import
# each other, entrypoints that reach adapters only through the service layer); bandit, each
# remaining finding suppressed in place with its reason (`# nosec BXXX  # why`).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -q -c pyproject.toml -r servicekit/src events/src reference/src landgrade services/*/src
	$(PY) -m landgrade.manifests check
	@command -v kubectl >/dev/null || { echo "kubectl is needed to build the Kubernetes overlays"; exit 1; }
	@for k in $(KUSTOMIZATIONS); do kubectl kustomize $$k >/dev/null || exit 1; done

# Debian's chromium, which the console's browser tests drive through Playwright (Playwright's own
# browser download is not used), and a Chinese font for its pages and screenshots. As root here;
# through sudo otherwise.
.PHONY: browser
browser:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium fonts-wqy-microhei; }

contracts: install
	$(PY) -m landgrade.contracts write

# The operator resources generated from the topic specification (deploy/k8s/overlays).
manifests: install
	$(PY) -m landgrade.manifests write

bench: install kafka-jars
	$(PY) -m bench

# Re-resolve every dependency within the bounds in the pyproject files.
lock:
	$(UV) pip compile requirements.in -o requirements.lock --generate-hashes -q

clean:
	rm -rf .local
