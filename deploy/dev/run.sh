#!/usr/bin/env bash
# `make run`: the whole Vigil cluster on one machine without Docker. Starts a local redis-server,
# the embedded Kafka broker, every Vigil service and the fleet simulator, then follows the output
# in the foreground. Ctrl-C (or SIGTERM) stops everything this script started, in reverse order.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONFIGURATION="${CONFIGURATION:-Release}"
STATE_DIR=".vigil"
REDIS_PORT="${VIGIL_REDIS_PORT:-6390}"
KAFKA_BASE_PORT="${VIGIL_KAFKA_BASE_PORT:-9092}"
SIM_HOSTS="${VIGIL_SIM_HOSTS:-50}"
SIM_RATE="${VIGIL_SIM_RATE:-200}"
SIM_ATTACK_INTERVAL="${VIGIL_SIM_ATTACK_INTERVAL:-20s}"
# elastic: the simulator writes Elastic Agent Kafka output documents to the raw topic and vigil-ingest normalises
# them, as for a real fleet; canonical: it publishes TelemetryEvents to the telemetry topic directly.
SIM_EMIT="${VIGIL_SIM_EMIT:-elastic}"
BIN() { echo "services/$1/bin/${CONFIGURATION}/net10.0/$2.dll"; }

mkdir -p "$STATE_DIR/logs"
pids=()
names=()

# Children run in their own sessions, so Ctrl-C reaches only this script, which then stops them
# one at a time, newest first: consumers commit and close while the broker is still up.
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping Vigil..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
    echo "  stopped ${names[$i]}"
  done
}
trap stop_all INT TERM EXIT

start() { # name, log file, command...
  local name="$1" log="$2"; shift 2
  setsid "$@" >"$log" 2>&1 &
  pids+=($!)
  names+=("$name")
  echo "  started $name (pid $!, log $log)"
}

wait_for() { # what, seconds, test command...
  local what="$1" seconds="$2"; shift 2
  for ((t=0; t<seconds*10; t++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "Timed out waiting for $what; see $STATE_DIR/logs." >&2
  exit 1
}

echo "Starting Vigil (logs in $STATE_DIR/logs)"

if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "  redis-server already answering on 127.0.0.1:$REDIS_PORT; using it"
else
  start redis-server "$STATE_DIR/logs/redis.log" \
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no
  wait_for "redis-server" 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
fi

rm -f "$STATE_DIR/bootstrap"
start kafka-dev-cluster "$STATE_DIR/logs/devcluster.log" \
  dotnet "$(BIN Vigil.DevCluster vigil-devcluster)" \
  --DevCluster:BasePort="$KAFKA_BASE_PORT" --DevCluster:BootstrapFile="$STATE_DIR/bootstrap" --Vigil:LogFormat=simple
wait_for "the dev Kafka cluster" 30 test -s "$STATE_DIR/bootstrap"
BOOTSTRAP="$(cat "$STATE_DIR/bootstrap")"
echo "  Kafka bootstrap: $BOOTSTRAP"

export VIGIL_Kafka__BootstrapServers="$BOOTSTRAP"
export VIGIL_Redis__Endpoints__0="127.0.0.1:$REDIS_PORT"
export VIGIL_Vigil__LogFormat=simple

# The baseline (AN1227) learns per-process-image network profiles. Production waits for 500 observations over
# 7 days before a profile may alert; here profiles mature after 30 observations over 2 minutes of telemetry,
# with 10 s volume buckets, so detections show within minutes. Attacks injected while a profile still learns
# become part of it, as they would in production.
start baseline "$STATE_DIR/logs/baseline.log" \
  dotnet "$(BIN Vigil.Baseline vigil-baseline)" \
  --urls http://127.0.0.1:7410 --grpc-url http://127.0.0.1:7411 \
  --Baseline:MinObservations=30 --Baseline:MinAge=00:02:00 --Baseline:BucketWidth=00:00:10 \
  --Baseline:MinVolumeSamples=20 --Baseline:HostStateRetention=01:00:00
wait_for "the baseline" 60 bash -c 'exec 3<>/dev/tcp/127.0.0.1/7411'

# Ingest: raw agent topics (deploy/topics.json, role raw) to the telemetry topic.
start ingest "$STATE_DIR/logs/ingest.log" \
  dotnet "$(BIN Vigil.Ingest vigil-ingest)" --urls http://127.0.0.1:7412

rm -f "$STATE_DIR/ground-truth.ndjson"
start fleet-sim "$STATE_DIR/logs/fleet-sim.log" \
  dotnet "$(BIN Vigil.FleetSim fleet-sim)" \
  --output kafka --emit "$SIM_EMIT" --mode live --hosts "$SIM_HOSTS" --rate "$SIM_RATE" --scenario-interval "$SIM_ATTACK_INTERVAL" \
  --ground-truth "$STATE_DIR/ground-truth.ndjson" --urls http://127.0.0.1:7400

# One correlator per analytic pack in rules/, each its own consumer group (ports 7401...).
port=7401
for pack in rules/*/; do
  [ -d "$pack" ] || continue
  analytic="$(basename "$pack")"
  start "correlator $analytic" "$STATE_DIR/logs/correlator-$analytic.log" \
    dotnet "$(BIN Vigil.Correlator vigil-correlator)" --analytic "$analytic" --rules "$pack" --urls "http://127.0.0.1:$port"
  port=$((port + 1))
done

# The console (http://127.0.0.1:7420): alerts with triage, process trees, rule counts and lag from the /metrics above.
metrics=(--metrics baseline=http://127.0.0.1:7410/metrics --metrics ingest=http://127.0.0.1:7412/metrics)
port=7401
for pack in rules/*/; do
  [ -d "$pack" ] || continue
  metrics+=(--metrics "correlator-$(basename "$pack")=http://127.0.0.1:$port/metrics")
  port=$((port + 1))
done
start console "$STATE_DIR/logs/console.log" \
  dotnet "$(BIN Vigil.Console vigil-console)" --urls http://127.0.0.1:7420 --baseline http://127.0.0.1:7411 --rules rules "${metrics[@]}"

cat <<INFO

Vigil is running. The fleet simulator publishes telemetry ($SIM_EMIT-shaped; elastic goes through vigil-ingest) for $SIM_HOSTS Macs at $SIM_RATE events/s
and injects a labelled scenario every $SIM_ATTACK_INTERVAL (ground truth: $STATE_DIR/ground-truth.ndjson).
  console (alerts, triage, process trees, rules, pipeline):  http://127.0.0.1:7420
  inject a scenario now:  curl -X POST http://127.0.0.1:7400/scenarios/an0167   (see GET /scenarios)
  watch telemetry:        dotnet $(BIN Vigil.Cli vigil) telemetry tail --format summary
  health and metrics:     http://127.0.0.1:7400/health/ready (simulator), 7401-7404 (correlators), 7410 (baseline), 7412 (ingest), /metrics on each
  baseline profiles:      dotnet $(BIN Vigil.Cli vigil) baseline list --filter recent   (or: baseline show com.apple.curl)
Following alerts as the correlators and the baseline raise them. Ctrl-C stops everything.

INFO
setsid dotnet "$(BIN Vigil.Cli vigil)" alerts tail --bootstrap "$BOOTSTRAP" &
pids+=($!)
names+=("alerts tail")
wait "${pids[-1]}" || true
