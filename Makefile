# Vigil: two commands do all set-up on a fresh Debian machine.
#   make run   - embedded Kafka broker, local Redis, every service and the fleet simulator
#   make test  - installs what tests need, builds, runs every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

CONFIGURATION ?= Release
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: help deps build test run bench clean

help:
	@echo "make run    run the whole cluster with the simulator (Ctrl-C stops everything)"
	@echo "make test   install test dependencies, build and run all tests"
	@echo "make bench  run the benchmarks and write docs/benchmarks.md"

# System packages outside .NET: redis-server (tests and make run start their own) and openssl (TLS test certificates).
deps:
	@command -v $(DOTNET) >/dev/null || { echo "The .NET SDK (see global.json) is required: https://dot.net" >&2; exit 1; }
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null || ! command -v openssl >/dev/null; then \
	  echo "Installing redis-server (apt)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server openssl >/dev/null; \
	fi

build:
	$(DOTNET) build Platform.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

test: deps build
	$(DOTNET) test Platform.sln -c $(CONFIGURATION) --no-build -nologo --logger "console;verbosity=normal"

run: deps build
	CONFIGURATION=$(CONFIGURATION) bash deploy/dev/run.sh

clean:
	$(DOTNET) clean Platform.sln -c $(CONFIGURATION) -nologo -v q
	rm -rf .vigil
