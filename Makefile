# Retorno: `make run` starts the demo store, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= config.settings
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo serve worker test test-fast test-postgres check format bench clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

SIM_PORT ?= 8055
# The demo store's webhook endpoint: `retorno webhook-sink` here, which logs what it receives
# (signature checked) to var/webhook-sink/events.jsonl.
SINK_PORT ?= 8056
# The demo's carrier accounts call the simulator here (updated on every run).
SIM_URL = http://$(HOST):$(SIM_PORT)
# The demo store's Shopify shop: `retorno shop-sim` here, its state in var/shop-sim/.
SHOP_PORT ?= 8057
SHOP_URL = http://$(HOST):$(SHOP_PORT)
# The demo's WooCommerce store and Stripe (`retorno woo-sim`, `retorno stripe-sim`), each
# connected to a store of its own (demo-woo, demo-stripe); their secrets in var/woo-sim/ and
# var/stripe-sim/.
WOO_PORT ?= 8058
WOO_URL = http://$(HOST):$(WOO_PORT)
STRIPE_PORT ?= 8059
STRIPE_URL = http://$(HOST):$(STRIPE_PORT)

# Links in the demo's e-mails and the URLs it prints follow the port it is served on.
run demo: export RETORNO_PUBLIC_URL ?= http://$(HOST):$(PORT)
# The demo's carriers are the simulator on 127.0.0.1, over http.
run demo: export RETORNO_ALLOW_PRIVATE_URLS ?= true
# Development stand-ins for the secrets production must be given (SECRET_KEY, encryption key).
run demo: export RETORNO_ENV ?= development
# The demo's e-mails are files under var/mail/ and its logs go to var/log/retorno.log (errors
# still show in the terminal), so the closing summary stays on screen. To see them in the
# terminal: make run LOG_FILE= EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
run demo: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
run demo: export LOG_FILE ?= $(CURDIR)/var/log/retorno.log

# The carrier simulator runs beside the server and posts tracking webhooks to it; both stop
# together. The summary (portal, orders to try, logins, API key) comes once the server answers.
run: install
	$(BIN)/retorno migrate --noinput
	$(BIN)/retorno createcachetable
	$(BIN)/retorno demo --simulator-url $(SIM_URL) --no-summary \
		--webhook-url http://$(HOST):$(SINK_PORT)/webhooks --webhook-secret-file var/webhook-sink/secret \
		--shop-sim-url $(SHOP_URL) --shop-sim-dir var/shop-sim \
		--woo-sim-url $(WOO_URL) --woo-sim-dir var/woo-sim \
		--stripe-sim-url $(STRIPE_URL) --stripe-sim-dir var/stripe-sim
	$(BIN)/retorno webhook-sink --port $(SINK_PORT) --secret-file var/webhook-sink/secret \
		--log var/webhook-sink/events.jsonl & \
	SINK=$$!; \
	$(BIN)/retorno carrier-sim --port $(SIM_PORT) --state-dir var/carrier-sim \
		--webhook-url "http://$(HOST):$(PORT)/api/v1/carriers/demo-{carrier}/webhooks" & \
	SIM=$$!; \
	$(BIN)/retorno shop-sim --port $(SHOP_PORT) --state-dir var/shop-sim --seed var/shop-sim/seed.json \
		--access-token-file var/shop-sim/token --webhook-secret-file var/shop-sim/secret \
		--webhook-url "http://$(HOST):$(PORT)/api/v1/connectors/shopify/webhooks" & \
	SHOP=$$!; \
	$(BIN)/retorno woo-sim --port $(WOO_PORT) --state-dir var/woo-sim --seed var/woo-sim/seed.json \
		--consumer-key-file var/woo-sim/consumer_key --consumer-secret-file var/woo-sim/consumer_secret \
		--webhook-secret-file var/woo-sim/webhook_secret \
		--webhook-url "http://$(HOST):$(PORT)/api/v1/connectors/woocommerce/webhooks" & \
	WOO=$$!; \
	$(BIN)/retorno stripe-sim --port $(STRIPE_PORT) --webhook-url-file var/stripe-sim/webhook_url & \
	STRIPE=$$!; \
	$(BIN)/retorno serve --host $(HOST) --port $(PORT) & \
	WEB=$$!; trap 'kill $$SIM $$SHOP $$WOO $$STRIPE $$SINK $$WEB 2>/dev/null' EXIT INT TERM; \
	$(BIN)/retorno demo-summary --wait-for http://$(HOST):$(PORT)/health --server-pid $$WEB; \
	wait $$WEB

demo: install
	$(BIN)/retorno migrate --noinput
	$(BIN)/retorno createcachetable
	$(BIN)/retorno demo --simulator-url $(SIM_URL)

worker: install
	$(BIN)/retorno worker

test: install
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/pytest

test-fast: install
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/pytest retorno/domain

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/retorno} DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/pytest

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/mypy retorno config
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python -m django makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/pytest -q tests/architecture/test_import_graph.py tests/architecture/test_formatting.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
