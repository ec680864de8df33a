#!/usr/bin/env bash
# `make run`: the whole Vigil cluster on one machine without Docker. Starts a local redis-server,
# the embedded Kafka broker, every Vigil service and the fleet simulator, then follows the output
# in the foreground. Ctrl-C (or SIGTERM) stops everything this script started, in reverse order.
# Supervision: if any child exits on its own, the script names it with its exit code and the last
# lines of its log, stops the rest and exits non-zero (it does not restart it: a child that died
# here would die the same way again, and a half-running cluster that claims to be up is worse).
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
  [ ${#pids[@]} -gt 0 ] || return 0
  echo
  echo "Stopping Vigil..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
    echo "  stopped ${names[$i]}"
  done
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

start() { # name, log file, command...
  local name="$1" log="$2"; shift 2
  setsid "$@" >"$log" 2>&1 &
  pids+=($!)
  names+=("$name")
  logs+=("$log")
  echo "  started $name (pid $!, log $log)"
}

logs=()

# A child that is gone: name, exit code and the end of its log, then stop everything else.
child_exited() { # index, exit code
  local i="$1" code="$2"
  echo >&2
  echo "vigil: ${names[$i]} exited with code $code; stopping the rest (nothing is restarted). Last lines of ${logs[$i]}:" >&2
  tail -n 5 "${logs[$i]}" 2>/dev/null | sed 's/^/    /' >&2 || true
  unset 'pids[i]' 'names[i]' 'logs[i]'
  pids=("${pids[@]}"); names=("${names[@]}"); logs=("${logs[@]}")
  stop_all
  exit 1
}

check_children() { # any child already gone ends the run
  local i code
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      code=0; wait "${pids[$i]}" 2>/dev/null || code=$?
      child_exited "$i" "$code"
    fi
  done
}

wait_for() { # what, seconds, test command...
  local what="$1" seconds="$2"; shift 2
  for ((t=0; t<seconds*10; t++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    check_children
    sleep 0.1
  done
  echo "Timed out waiting for $what; see $STATE_DIR/logs." >&2
  exit 1
}

# Every rules/<pack> runs as its own correlator with the consumer group deploy/topics.json declares for
# it; a pack without one would exit 2 at start, so say so before starting anything.
missing=()
for pack in rules/*/; do
  [ -d "$pack" ] || continue
  analytic="$(basename "$pack")"
  grep -Eq "\"analytic\"[[:space:]]*:[[:space:]]*\"$analytic\"" deploy/topics.json || missing+=("$analytic")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "vigil: rules/${missing[0]} has no consumer group in deploy/topics.json (add {\"name\": \"vigil.correlator.${missing[0]}\", \"service\": \"correlator\", \"analytic\": \"${missing[0]}\", \"topics\": [\"vigil.telemetry.macos.v1\"]} to consumerGroups)${missing[1]:+; also missing: ${missing[*]:1}}" >&2
  exit 2
fi

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
# The embedded broker does not hand a restarted static member its partitions back (real brokers do, at once); it
# waits out the dead member's session. 3 s here (real brokers refuse less than their group.min.session.timeout.ms,
# 6 s, the services' default) brings kill -9 → consumption again to about 4-6 s. See docs/reliability.md.
export VIGIL_Kafka__Consumer__SessionTimeoutMs=3000
# The embedded broker answers a fetch that finds no data only after fetch.wait.max.ms (librdkafka's default 500 ms),
# even when data arrives meanwhile, and scans a partition's log message set by message set on every fetch: consumers
# wait at most 20 ms here, and the telemetry producers batch 50 ms (fewer, larger message sets to scan and more records
# per fetch). The same setup as the benchmark's topology; docs/latency.md says why. Not for real Kafka.
DEV_CONSUMER=(--Kafka:Consumer:Properties:fetch.wait.max.ms=20)
DEV_TELEMETRY_PRODUCER=(--Kafka:Producer:LingerMs=50)

# The baseline (AN1227) learns per-process-image network profiles. Production waits for 500 observations over
# 7 days before a profile may alert; here profiles mature after 30 observations over 2 minutes of telemetry,
# with 10 s volume buckets, so detections show within minutes. Attacks injected while a profile still learns
# become part of it, as they would in production.
start baseline "$STATE_DIR/logs/baseline.log" \
  dotnet "$(BIN Vigil.Baseline vigil-baseline)" \
  --urls http://127.0.0.1:7410 --grpc-url http://127.0.0.1:7411 \
  --Baseline:MinObservations=30 --Baseline:MinAge=00:02:00 --Baseline:BucketWidth=00:00:10 \
  --Baseline:MinVolumeSamples=20 --Baseline:HostStateRetention=01:00:00 "${DEV_CONSUMER[@]}"
wait_for "the baseline" 60 bash -c 'exec 3<>/dev/tcp/127.0.0.1/7411'

# Ingest: raw agent topics (deploy/topics.json, role raw) to the telemetry topic.
start ingest "$STATE_DIR/logs/ingest.log" \
  dotnet "$(BIN Vigil.Ingest vigil-ingest)" --urls http://127.0.0.1:7412 "${DEV_CONSUMER[@]}" "${DEV_TELEMETRY_PRODUCER[@]}"

rm -f "$STATE_DIR/ground-truth.ndjson"
start fleet-sim "$STATE_DIR/logs/fleet-sim.log" \
  dotnet "$(BIN Vigil.FleetSim fleet-sim)" \
  --output kafka --emit "$SIM_EMIT" --mode live --hosts "$SIM_HOSTS" --rate "$SIM_RATE" --scenario-interval "$SIM_ATTACK_INTERVAL" \
  --ground-truth "$STATE_DIR/ground-truth.ndjson" --urls http://127.0.0.1:7400 "${DEV_TELEMETRY_PRODUCER[@]}"

# One correlator per analytic pack in rules/, each its own consumer group (ports 7401...).
port=7401
for pack in rules/*/; do
  [ -d "$pack" ] || continue
  analytic="$(basename "$pack")"
  start "correlator $analytic" "$STATE_DIR/logs/correlator-$analytic.log" \
    dotnet "$(BIN Vigil.Correlator vigil-correlator)" --analytic "$analytic" --rules "$pack" --urls "http://127.0.0.1:$port" "${DEV_CONSUMER[@]}"
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
  inject a scenario now:  curl -X POST http://127.0.0.1:7400/scenarios/an0167-script-curl-to-tmp   (list: curl http://127.0.0.1:7400/scenarios)
  watch telemetry:        dotnet $(BIN Vigil.Cli vigil) telemetry tail --format summary
  health and metrics:     http://127.0.0.1:7400/health/ready (simulator), 7401-7404 (correlators), 7410 (baseline), 7412 (ingest), /metrics on each
  baseline profiles:      dotnet $(BIN Vigil.Cli vigil) baseline list --filter recent   (or: baseline show com.apple.curl)
Following alerts as the correlators and the baseline raise them. Ctrl-C stops everything; if any
service exits on its own, this script says which and with what code, and stops the rest.

INFO
setsid dotnet "$(BIN Vigil.Cli vigil)" alerts tail --bootstrap "$BOOTSTRAP" &
pids+=($!)
names+=("alerts tail")
logs+=("(terminal)")
check_children
while :; do
  exited=""; code=0
  wait -n -p exited "${pids[@]}" 2>/dev/null || code=$?
  [ -n "$exited" ] || continue
  for i in "${!pids[@]}"; do
    if [ "${pids[$i]}" = "$exited" ]; then child_exited "$i" "$code"; fi
  done
done
