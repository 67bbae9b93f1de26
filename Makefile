# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
LOCAL_STAMP := $(VENV)/.installed-local
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8000

.PHONY: run test install lint typecheck unit browser-deps bench clean

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
	PORT=$(PORT) $(PY) -m chalicelib.devstack

## make test: lint, types and the whole suite (browser tests included)
test: install browser-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy

unit: install
	$(PY) -m pytest tests/unit

# Debian's Chromium for the browser tests: Playwright's own download is not reachable.
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .chalice/deployments build
