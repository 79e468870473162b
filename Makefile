# devportal - the two commands a fresh machine needs are `make up` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
STAGE ?= dev

.DEFAULT_GOAL := help
.PHONY: help install up demo test test-unit test-integration test-infra test-e2e lint format contracts synth bench clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

install: $(STAMP) ## create .venv and install every dependency (pinned by constraints.txt)

up: $(STAMP) ## run the whole portal on this machine, demo APIs included, until Ctrl-C (ARGS="--gateway-port 9000")
	$(BIN)/devportal up $(ARGS)

demo: $(STAMP) ## start, register the demo specs step by step, print the catalog, stop
	$(BIN)/devportal demo $(ARGS)

test: lint ## lint and type-check, then every test tier
	$(BIN)/pytest $(ARGS)

test-unit: $(STAMP) ## unit tests only (no network)
	$(BIN)/pytest -m unit $(ARGS)

test-integration: $(STAMP) ## integration tests only (moto, Temporal dev server)
	$(BIN)/pytest -m integration $(ARGS)

test-infra: $(STAMP) ## infrastructure tests only (CDK templates, parity with the local runtime)
	$(BIN)/pytest -m infra $(ARGS)

test-e2e: $(STAMP) ## end-to-end tests only (the local stack through HTTP)
	$(BIN)/pytest -m e2e $(ARGS)

lint: $(STAMP) ## ruff, formatting, mypy (strict), event schemas up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python -m events.schemas

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

contracts: $(STAMP) ## regenerate contracts/events/*.json from the event models
	$(BIN)/python -m events.schemas --write

synth: $(STAMP) ## synthesize the CDK app into cdk.out, offline (STAGE=dev|staging|prod)
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK_OUTDIR=cdk.out DEVPORTAL_STAGE=$(STAGE) $(BIN)/python app.py

bench: $(STAMP) ## submit-to-active latency on the local stack; writes bench/results/*.json
	$(BIN)/python -m bench.registration $(ARGS)

clean: ## remove local state, caches and the virtualenv
	rm -rf .devportal .cache .pytest_cache .mypy_cache .ruff_cache $(VENV)
