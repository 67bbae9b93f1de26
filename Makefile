# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
LOCAL_STAMP := $(VENV)/.installed-local
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8000

.PHONY: loadtest run test test-smtp install lint typecheck unit browser-deps bench clean package deploy bootstrap

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"

# `make run` installs only what it needs, so a fresh clone serves quickly.
$(LOCAL_STAMP): requirements.txt requirements-local.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-local.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-local.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(LOCAL_STAMP)

install: $(DEV_STAMP)

## make run: embedded moto + chalice local on http://127.0.0.1:$(PORT), seeded with demo data
run: $(LOCAL_STAMP)
	PORT=$(PORT) $(PY) -m ops.devstack

## make test: lint, types and the whole suite (browser tests included)
test: install browser-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest
	$(MAKE) --no-print-directory test-smtp

## make test-smtp: the API suite again with the mail transport set to SMTP (a real aiosmtpd server
# per test process), as the cn-prod stage sends; the mail assertions read that server's mailbox.
test-smtp: install
	MAIL_TRANSPORT_UNDER_TEST=smtp $(PY) -m pytest tests/api -n 2

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy

unit: install
	$(PY) -m pytest tests/unit

# Debian's Chromium for the browser tests: Playwright's own download is not reachable.
# axe-core (the accessibility checks, test-only) comes from npm, pinned in package-lock.json.
browser-deps: node_modules/axe-core/axe.min.js
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq npm >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq npm >/dev/null; fi; }
	npm ci --no-audit --no-fund --silent
	touch $@
# A Chinese font too (WenQuanYi Zen Hei), or the candidate screenshots in docs/screenshots show boxes.
browser-deps:
	@{ test -x /usr/bin/chromium && test -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; fi; }

## make loadtest: Locust, headless, on exam day (SCENARIO=registration: a registration rush) against
# its own emulated stack, or HOST=https://... (a deployed stage seeded with `rehearsal seed`).
# USERS, RAMP (per second) and DURATION as Locust takes them; LOADTEST_ARGS passes anything else.
USERS ?= 50
RAMP ?= 5
DURATION ?= 1m
SCENARIO ?= exam
loadtest: install
	$(PY) -m benchmarks.loadtest.run --scenario $(SCENARIO) --users $(USERS) --spawn-rate $(RAMP) \
	  --run-time $(DURATION) $(if $(HOST),--host $(HOST)) $(LOADTEST_ARGS)

## make bench: every benchmark, one table (docs/benchmarks.md). The exam-day spike runs its
# full 2,000 candidates (about 20 minutes on moto); BENCH_ARGS="--candidates 300" a shorter
# spike, `--only NAME` one benchmark.
BENCH_ARGS ?=
bench: install browser-deps
	$(PY) -m benchmarks $(BENCH_ARGS)

## Deploying (README, "Deploying to AWS"). STAGE is a stage of .chalice/config.json.
STAGE ?= dev
OUT ?= build/$(STAGE)
CHALICE := $(VENV)/bin/chalice
# The zip does not depend on the region; the template is linted for the stage's region
# (cn-prod is pinned to cn-north-1, whose ARNs are aws-cn), and `chalice package` insists on one.
PACKAGE_REGION = $(shell $(PY) -m ops.cli --stage $(STAGE) package-region)

## make package STAGE=prod OUT=dir: the deployment.zip `make deploy` deploys, and a SAM template
# The zip carries bytecode compiled by this Python (Lambda's runtime is Chalice's pick for it, 3.11):
# Chalice ships none, and a read-only /var/task would compile every module on each cold start.
# Chalice caches the zip under .chalice/deployments keyed on file contents only,
# so a stale or half-built zip would be reused: every package starts clean.
# `chalice deploy` then finds this very zip in the cache and uploads it as is.
# A .pyc written into chalicelib/ while packaging would change the zip and Chalice's cache key.
package deploy: export PYTHONDONTWRITEBYTECODE = 1
package: install
	rm -rf .chalice/deployments $(OUT)
	find chalicelib -name __pycache__ -type d -prune -exec rm -rf {} +
	$(PY) -m ops.cli --stage $(STAGE) sam-overrides --output $(OUT).sam-overrides.json
	AWS_DEFAULT_REGION=$(PACKAGE_REGION) $(CHALICE) package --stage $(STAGE) \
	  --merge-template $(OUT).sam-overrides.json $(OUT)
	rm -f $(OUT).sam-overrides.json
	$(PY) -m ops.cli --stage $(STAGE) precompile $(OUT)/deployment.zip
	$(VENV)/bin/cfn-lint --regions $(PACKAGE_REGION) -- $(OUT)/sam.json

## make bootstrap STAGE=prod: create or check the table, bucket, secrets and SES identity
bootstrap: install
	$(PY) -m ops.cli --stage $(STAGE) bootstrap

## make deploy STAGE=prod: bootstrap, package, chalice deploy, then what Chalice cannot configure
deploy: bootstrap package
	$(CHALICE) deploy --stage $(STAGE)
	$(PY) -m ops.cli --stage $(STAGE) post-deploy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .chalice/deployments build
