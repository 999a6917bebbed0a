# The two commands of the README: `make run` and `make test`. Both do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
ZBCTL_VERSION := 8.4.1
ZBCTL := $(TOOLS)/zbctl/package/bin/zbctl-cli.linux

.PHONY: install dev tools run test lint format typecheck tck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

# Test tools from npm: zbctl ships a static Go binary inside its npm tarball (nothing else is downloaded).
$(ZBCTL):
	mkdir -p $(TOOLS)/zbctl
	cd $(TOOLS)/zbctl && npm pack --silent zbctl@$(ZBCTL_VERSION) >/dev/null && tar xzf zbctl-$(ZBCTL_VERSION).tgz
	chmod +x $(ZBCTL)

tools: $(ZBCTL)

run: install
	$(BIN)/zeebind run

lint: dev
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

format: dev
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

typecheck: dev
	$(BIN)/mypy

test: dev tools
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	ZBCTL=$(abspath $(ZBCTL)) $(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache

# The gateway protocol: regenerate the committed descriptor set from gateway.proto (grpcio-tools, dev extra).
GATEWAY_PROTO_DIR := src/zeebind/gateway
.PHONY: proto
proto: dev
	$(BIN)/python -m grpc_tools.protoc -I $(GATEWAY_PROTO_DIR) \
		--descriptor_set_out=$(GATEWAY_PROTO_DIR)/gateway.binpb $(GATEWAY_PROTO_DIR)/gateway.proto

# Node gRPC client for the conformance tests: @camunda8/sdk (pure JS, from npm) under .tools/node-sdk.
CAMUNDA8_SDK_VERSION := 8.8.13
CAMUNDA8_SDK := $(TOOLS)/node-sdk/node_modules/@camunda8/sdk/package.json
$(CAMUNDA8_SDK):
	mkdir -p $(TOOLS)/node-sdk
	cd $(TOOLS)/node-sdk && npm init -y >/dev/null && \
		npm install --silent --no-audit --no-fund @camunda8/sdk@$(CAMUNDA8_SDK_VERSION)
tools: $(CAMUNDA8_SDK)

tck: dev
	$(BIN)/python -m zeebind.feel.tck ../shared/dmn-tck

# The DMN TCK (compliance levels 2 and 3) through the DMN engine: pass counts per folder and in total.
.PHONY: tck-dmn
tck-dmn: dev
	$(BIN)/python -m zeebind.dmn.tck ../shared/dmn-tck

# FEEL differential tests: the feelin interpreter from npm under .tools/feelin.
FEELIN_VERSION := 8.2.0
FEELIN := $(TOOLS)/feelin/node_modules/feelin/package.json
$(FEELIN):
	mkdir -p $(TOOLS)/feelin
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/feelin feelin@$(FEELIN_VERSION)
tools: $(FEELIN)
