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

.PHONY: help deps browser-deps chart-deps build test chaos chart-check chart-sync images run bench clean

help:
	@echo "make run          run the whole cluster with the simulator (Ctrl-C stops everything)"
	@echo "make test         install test dependencies, build and run all tests (includes chart-check)"
	@echo "make chaos        fault suite: poison pills, kill -9/restart cycles, a paused replica (CHAOS=short, the CI form; CHAOS=full)"
	@echo "make chart-check  render the Helm chart, check it, its copied files and docker-compose.yml"
	@echo "make chart-sync   copy deploy/topics.json and rules/ into the Helm chart (helm/vigil/files)"
	@echo "make images       build every container image (needs a Docker engine; REGISTRY=..., TAG=...)"
	@echo "make bench        run the benchmarks and write docs/benchmarks.md"

# System packages outside .NET: redis-server (tests and make run start their own) and openssl (TLS test certificates).
deps:
	@command -v $(DOTNET) >/dev/null || { echo "The .NET SDK (see global.json) is required: https://dot.net" >&2; exit 1; }
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null || ! command -v openssl >/dev/null; then \
	  echo "Installing redis-server (apt)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server openssl >/dev/null; \
	fi

# The console's browser tests drive Debian's chromium through Playwright (whose own browser download is not used).
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "Installing chromium chromium-driver (apt)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# The chart check renders helm/vigil with `helm template` when helm is installed; helm is in neither apt nor
# npm, so otherwise it uses Helm's own template engine (Go text/template + sprig), which Debian packages.
CHART_CHECK_GO_PACKAGES := golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev
GO_ENV := GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS=

chart-deps:
	@if ! command -v go >/dev/null \
	    || [ ! -d /usr/share/gocode/src/github.com/Masterminds/sprig ] \
	    || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v2 ] \
	    || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v3 ]; then \
	  echo "Installing $(CHART_CHECK_GO_PACKAGES) (apt)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CHART_CHECK_GO_PACKAGES) >/dev/null; \
	fi

build:
	$(DOTNET) build Platform.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

# The full log goes to .vigil/test.log; when a test fails, its name and message are repeated last, where a
# truncated CI log still shows them.
test: deps browser-deps build chart-check
	@mkdir -p .vigil
	@set -o pipefail; $(DOTNET) test Platform.sln -c $(CONFIGURATION) --no-build -nologo --logger "console;verbosity=normal" 2>&1 \
	  | tee .vigil/test.log || { echo; echo "=== Failed tests (full log: .vigil/test.log) ==="; \
	  grep -E -A12 '^\s+Failed [A-Za-z]' .vigil/test.log | cut -c1-300 | head -120; exit 1; }
	$(MAKE) --no-print-directory chaos CHAOS=short CHAOS_BUILD=no

# The fault suite (docs/reliability.md): real processes killed with SIGKILL and restarted, or paused with SIGSTOP, poison pills, stalls.
# Its tests skip under a plain `dotnet test`; here they run with VIGIL_CHAOS set. CHAOS=short fits CI (a few
# minutes); CHAOS=full adds the long forms. Figures are appended to .vigil/chaos-report.txt.
CHAOS ?= short
CHAOS_BUILD ?= yes
CHAOS_FILTER := FullyQualifiedName~RestartResumeOnEmbedded|FullyQualifiedName~PoisonPillOnEmbedded|FullyQualifiedName~ReadinessOnEmbedded|FullyQualifiedName~CorrelatorChaosTests|FullyQualifiedName~BaselineChaosTests
CHAOS_PROJECTS := tests/Vigil.Messaging.Kafka.IntegrationTests tests/Vigil.Correlator.IntegrationTests tests/Vigil.Baseline.IntegrationTests
chaos: deps
	@if [ "$(CHAOS_BUILD)" = yes ]; then for p in $(CHAOS_PROJECTS); do $(DOTNET) build $$p -c $(CONFIGURATION) -nologo -clp:ErrorsOnly || exit 1; done; fi
	@mkdir -p .vigil
	@for p in $(CHAOS_PROJECTS); do \
	  VIGIL_CHAOS=$(CHAOS) VIGIL_CHAOS_REPORT=$(CURDIR)/.vigil/chaos-report.txt \
	    $(DOTNET) test $$p -c $(CONFIGURATION) --no-build -nologo \
	    --filter "$(CHAOS_FILTER)" --logger "console;verbosity=normal" || exit 1; \
	done
	@echo "Figures: .vigil/chaos-report.txt"

# Checks the chart with its default values and every helm/vigil/ci/*.yaml, the chart's copies of
# deploy/topics.json and rules/, and docker-compose.yml; the tests also show each check failing on broken fixtures.
chart-check: chart-deps
	cd tests/chart-check && $(GO_ENV) go vet . && $(GO_ENV) go test -count=1 . && $(GO_ENV) go run . -repo ../..

# The chart carries copies (Helm reads files only from inside the chart); chart-check fails when they drift.
chart-sync:
	cp deploy/topics.json helm/vigil/files/topics.json
	rm -rf helm/vigil/files/rules
	mkdir -p helm/vigil/files/rules
	@for pack in rules/*/; do \
	  [ -d "$$pack" ] || continue; \
	  name=$$(basename "$$pack"); \
	  mkdir -p "helm/vigil/files/rules/$$name"; \
	  for file in "$$pack"*.toml; do [ -f "$$file" ] && cp "$$file" "helm/vigil/files/rules/$$name/"; done; \
	  echo "helm/vigil/files/rules/$$name: $$(ls "helm/vigil/files/rules/$$name" | wc -l) rule file(s)"; \
	done

# One image per process, all from deploy/docker/Dockerfile: vigil/<name>:$(TAG), prefixed with $(REGISTRY)/ when set.
REGISTRY ?=
TAG ?= dev
VIGIL_IMAGES := correlator:services/Vigil.Correlator:vigil-correlator baseline:services/Vigil.Baseline:vigil-baseline \
	ingest:services/Vigil.Ingest:vigil-ingest \
	fleet-sim:services/Vigil.FleetSim:fleet-sim cli:services/Vigil.Cli:vigil console:services/Vigil.Console:vigil-console

images:
	@docker info >/dev/null 2>&1 || { echo "make images needs a running Docker engine." >&2; exit 1; }
	@for image in $(VIGIL_IMAGES); do \
	  IFS=: read -r name project assembly <<< "$$image"; \
	  tag="$(if $(REGISTRY),$(REGISTRY)/)vigil/$$name:$(TAG)"; \
	  echo "Building $$tag from $$project"; \
	  docker build -f deploy/docker/Dockerfile --build-arg PROJECT=$$project --build-arg ASSEMBLY=$$assembly \
	    --build-arg VERSION=$(TAG) --build-arg REVISION=$$(git rev-parse --short HEAD) -t "$$tag" . || exit 1; \
	done

run: deps build
	CONFIGURATION=$(CONFIGURATION) bash deploy/dev/run.sh

# Figures go to docs/benchmarks.md (docs/performance.md explains them); BENCH_EVENTS sets the workload size. Each
# measured consumer runs in a process of its own; the whole run takes about 25 minutes on 2 shared cores. Then the
# baseline's handler and the Redis bytes per active host (BENCH_HOSTS hosts, about 40 s) append their sections.
BENCH_EVENTS ?= 400000
BENCH_HOSTS ?= 100000
bench: deps build
	$(DOTNET) run -c $(CONFIGURATION) --no-build --project tests/Vigil.Benchmarks -- --events $(BENCH_EVENTS)
	@{ echo; echo "## Baseline (AN1227) handler with a real redis-server"; echo; \
	   echo "\`dotnet run -c Release --project tests/Vigil.Baseline.Benchmarks -- --events 200000\`: the baseline's batch handler on fleet-sim telemetry (Kafka left out; alerts counted, not published)."; echo; \
	   $(DOTNET) run -c $(CONFIGURATION) --no-build --project tests/Vigil.Baseline.Benchmarks -- --events 200000; } >> docs/benchmarks.md
	@{ echo; $(DOTNET) run -c $(CONFIGURATION) --no-build --project tests/Vigil.Correlator.Benchmarks -- --hosts $(BENCH_HOSTS) --markdown; } >> docs/benchmarks.md
	@tail -12 docs/benchmarks.md

clean:
	$(DOTNET) clean Platform.sln -c $(CONFIGURATION) -nologo -v q
	rm -rf .vigil
