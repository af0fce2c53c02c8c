#!/usr/bin/env bash
# Cluster numbers for PERFORMANCE.md: stored-vector search latency (p50/p99) and requests/s through
# HTTP on a 1-node cluster (`leann serve`, all roles) and on a 3-JVM loopback cluster (coordinator,
# shard, embed), against the in-process engine on the same index; recompute throughput with 2 and
# with 1 embed node.
#
#   bash bench/cluster-latency.sh            (from the repository root, after bin/test or bin/leann built the jar)
#
# What it does, all on 127.0.0.1 with free ports and a private temp dir (LEANN_INDEX_DIR, run dir):
#  1. deploy/local-cluster.sh start 1 1: the 3-JVM cluster (coordinator, shard node, embed node).
#     PUT /indexes/bench with {"shards": 2, "recompute": false} (stored vectors), then BENCH_DOCS (2000)
#     paragraphs of Debian's license and copyright texts (bench/cluster/corpus.py) through the API.
#  2. Stored-vector search on the 3-JVM cluster: after a 5 s warm-up, latency with wrk -t1 -c1 (one
#     request after another) and throughput with wrk -t2 -c BENCH_CONNECTIONS (16), BENCH_DURATION
#     (15) s each.
#  3. Recompute throughput (queries with "recompute": true: the shard re-embeds every passage it
#     visits, on the embed nodes): wrk -c BENCH_RECOMPUTE_CONNECTIONS (2) for BENCH_RECOMPUTE_DURATION
#     (40) s with the one embed node; then a second embed node joins the running cluster (started here,
#     `leann serve --roles embed --seed`), and the run is repeated. Before each run the requests the
#     previous wrk left in flight are drained (a stored search answers in < 0.5 s again).
#  4. Diagnostic (BENCH_WINDOW0=0 skips it): the 3-JVM cluster once more with every node started with
#     -Dleann.embed.batch.window=0ms, stored-vector runs as in 2 and a recompute run as in 3.
#  5. `leann serve` (one node, every role) over the same index dir, as in 2; then once more with
#     -Dleann.embed.batch.window=0ms (diagnostic, skipped with BENCH_WINDOW0=0).
#  6. In process: bench/cluster/InProcessSearch.java (java source launcher, classpath leann.jar) runs
#     the same searches through IndexSearcher (embed the query in process, search the stored vectors
#     of both shards, merge): one thread for latency, 2 threads for throughput.
# Every search asks top_k 10, complexity 64, with the 20 queries of bench/cluster/queries.txt in turn.
# Every run is bounded (wrk -d, timeouts on every wait); the EXIT trap stops exactly the JVMs started
# here (local-cluster.sh stop for the cluster, the recorded PIDs for the extra embed node and the
# single node, each only while /proc shows it still runs `serve` on its port).
#
# Output: a summary and the raw wrk/InProcessSearch output, on stdout and in
# bench/results/cluster-<date>.txt (BENCH_OUT overrides). Needs wrk (apt-get install -y wrk), curl,
# /usr/bin/python3. LEANN_BIN and BENCH_JAR replace the launcher and the jar (default bin/leann and
# coordinator/target/leann.jar).
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
duration=${BENCH_DURATION:-15}
docs=${BENCH_DOCS:-2000}
connections=${BENCH_CONNECTIONS:-16}
recompute_connections=${BENCH_RECOMPUTE_CONNECTIONS:-2}
recompute_duration=${BENCH_RECOMPUTE_DURATION:-40}
out=${BENCH_OUT:-$repo/bench/results/cluster-$(date +%F).txt}
leann_bin=${LEANN_BIN:-$repo/bin/leann}
jar=${BENCH_JAR:-$repo/coordinator/target/leann.jar}
index=bench
queries="$repo/bench/cluster/queries.txt"
top_k=10
complexity=64

command -v wrk >/dev/null || { echo "cluster-latency: needs wrk (apt-get install -y wrk)" >&2; exit 1; }
# shellcheck source=bin/jdk25.sh
. "$repo/bin/jdk25.sh"
if [ ! -f "$jar" ]; then
  (MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -B -ntp -q -pl coordinator -am package -DskipTests)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/leann-cluster-bench.XXXXXX")
export LEANN_RUN_DIR="$work/cluster" LEANN_INDEX_DIR="$work/indexes" LEANN_BIN="$leann_bin"
export LEANN_STOP_TIMEOUT=30
# An open loopback cluster: no API keys from the caller's environment.
unset LEANN_ADMIN_TOKEN LEANN_ADMIN_KEY LEANN_API_KEY LEANN_READ_API_KEY LEANN_KEYS_FILE LEANN_REQUIRE_READ_KEY
single_pid=
single_port=
extra_pid=
extra_port=
report="$work/report.txt"

# stop_node PID PORT: SIGTERM to a node started here, while /proc shows it still runs `serve` on
# PORT; SIGKILL after 30 s.
stop_node() {
  local pid=$1 port=$2 i
  [ -n "$pid" ] || return 0
  if grep -q -- " serve .*--port $port " <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_node "$extra_pid" "$extra_port"
  [ -f "$LEANN_RUN_DIR/pids" ] && { deploy/local-cluster.sh stop >/dev/null 2>&1 || true; }
  stop_node "$single_pid" "$single_port"
  if [ "$status" -ne 0 ]; then
    echo "cluster-latency: failed (status $status); logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$report"; }
die() { echo "cluster-latency: $*" >&2; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_base() { # N: a base port with N consecutive free ports, and the same 100 above
  local base i ok attempt
  for ((attempt = 1; attempt <= 50; attempt++)); do
    base=$((20000 + RANDOM % 30000))
    ok=1
    for ((i = 0; i < $1; i++)); do
      if ! port_free $((base + i)) || ! port_free $((base + 100 + i)); then ok=0; break; fi
    done
    [ "$ok" = 1 ] && { echo "$base"; return 0; }
  done
  return 1
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND once a second until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what: not within ${deadline}s"
    sleep 1
  done
}

searchable() { # URL: a stored-vector search answers 200, complete
  local body
  body=$(curl -sf --max-time 30 -X POST -H 'Content-Type: application/json' \
    -d '{"query": "warranty", "top_k": 10, "recompute": false}' "$1/indexes/$index/search" 2>/dev/null) || return 1
  grep -q '"partial":false' <<<"$body"
}

# wrk_run LABEL URL THREADS CONNECTIONS SECONDS RECOMPUTE: runs wrk, appends its output to the
# report, prints "p50_ms p99_ms req_per_s requests bad" (bad = non-200 + partial + socket errors).
wrk_run() {
  local label=$1 url=$2 threads=$3 conns=$4 secs=$5 recompute=$6 raw="$work/wrk-$RANDOM.txt"
  LEANN_BENCH_INDEX=$index LEANN_BENCH_QUERIES=$queries LEANN_BENCH_TOP_K=$top_k \
    LEANN_BENCH_COMPLEXITY=$complexity LEANN_BENCH_RECOMPUTE=$recompute \
    wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s --latency -s bench/cluster/search.lua "$url" >"$raw" 2>&1 \
    || die "wrk failed: $(cat "$raw")"
  { echo "--- $label (load before: $(load_at_start))"; cat "$raw"; } >>"$work/raw.txt"
  "$PY" - "$raw" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit):
    return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
p = {m.group(1): ms(m.group(2), m.group(3)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
n = int(re.search(r"(\d+) requests in", text).group(1))
a = re.search(r"answers: non-200 (\d+), partial (\d+), socket errors (\d+), timeouts (\d+)", text)
bad = sum(int(x) for x in a.groups())
print(f"{p.get('50', float('nan')):.2f} {p.get('99', float('nan')):.2f} {rps:.2f} {n} {bad}")
PY
}
load_at_start() { cat "$work/load" 2>/dev/null || load; }

# measure_http NAME URL: stored-vector latency (1 connection) and throughput ($connections).
measure_http() {
  local name=$1 url=$2 lat thr
  wrk_run "$name warm-up" "$url" 1 1 5 false >/dev/null
  load >"$work/load"
  lat=$(wrk_run "$name latency, 1 connection" "$url" 1 1 "$duration" false)
  load >"$work/load"
  thr=$(wrk_run "$name throughput, $connections connections" "$url" 2 "$connections" "$duration" false)
  local p50 p99 n bad rps n2 bad2
  read -r p50 p99 _ n bad <<<"$lat"
  read -r _ _ rps n2 bad2 <<<"$thr"
  printf '%-34s %8s %8s %10s %9s %6s   (load %s)\n' "$name" "$p50" "$p99" "$rps" "$((n + n2))" "$((bad + bad2))" \
    "$(load)" >>"$work/table"
}

# ---------------------------------------------------------------- 1. cluster and index

base=$(free_base 3) || die "no free ports"
export LEANN_BASE_PORT=$base LEANN_HTTP_BASE_PORT=$((base + 100))
url="http://127.0.0.1:$LEANN_HTTP_BASE_PORT"
{
  echo "== LEANN cluster search latency and throughput, $(date -u '+%F %H:%M UTC') =="
  echo "machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)'); wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}')"
  echo "index: $docs paragraphs of Debian license/copyright texts, 2 shards, stored vectors (recompute false), all-MiniLM-L6-v2, cosine"
  echo "search: top_k $top_k, complexity $complexity, 20 queries in turn (bench/cluster/queries.txt); wrk ${duration}s per stored-vector run, ${recompute_duration}s per recompute run, --timeout 30s"
  echo "load average at start: $(load)"
} | tee "$report"

deploy/local-cluster.sh start 1 1 >"$work/start.log" 2>&1 || die "local-cluster.sh start failed: $(tail -n 5 "$work/start.log")"
curl -sf --max-time 30 -X PUT -H 'Content-Type: application/json' -d '{"shards": 2, "recompute": false}' "$url/indexes/$index" >/dev/null || die "PUT /indexes/$index failed"
n=$("$PY" bench/cluster/corpus.py "$docs" "$work/docs.json")
t0=$SECONDS
job=$(curl -sf --max-time 60 -X POST -H 'Content-Type: application/json' --data-binary "@$work/docs.json" \
  "$url/indexes/$index/documents" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])') || die "POST documents failed"
job_done() {
  local state
  state=$(curl -sf --max-time 10 "$url/jobs/$job" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["state"])') || return 1
  [ "$state" = failed ] && die "ingest job failed: $(curl -s "$url/jobs/$job")"
  [ "$state" = "done" ]
}
wait_for 900 "ingest of $n documents" job_done
say "ingest through the 3-JVM cluster (1 shard node, 1 embed node): $n documents in $((SECONDS - t0)) s"
wait_for 60 "first search" searchable "$url"

# ---------------------------------------------------------------- 2. 3-JVM cluster, stored vectors

measure_http "HTTP, 3 JVMs (coord/shard/embed)" "$url"

# ---------------------------------------------------------------- 3. recompute, 1 then 2 embed nodes

# idle URL: the requests a finished wrk run left in flight are done (a stored search is quick again).
idle() {
  local t
  t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 30 -X POST -H 'Content-Type: application/json' \
    -d '{"query": "warranty", "top_k": 10, "recompute": false}' "$1/indexes/$index/search") || return 1
  "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 0.5 else 1)' "$t"
}

recompute_row() { # LABEL
  local r p50 p99 rps n bad
  wait_for 120 "the cluster to drain" idle "$url"
  # Warm-up: one recompute search (they take seconds each).
  curl -sf -o /dev/null --max-time 60 -X POST -H 'Content-Type: application/json' \
    -d '{"query": "warranty", "top_k": 10, "complexity": 64, "recompute": true}' "$url/indexes/$index/search" \
    || die "recompute warm-up search failed"
  load >"$work/load"
  r=$(wrk_run "$1, $recompute_connections connections" "$url" 2 "$recompute_connections" "$recompute_duration" true)
  read -r p50 p99 rps n bad <<<"$r"
  printf '%-34s %8s %8s %10s %9s %6s   (load %s)\n' "$1" "$p50" "$p99" "$rps" "$n" "$bad" "$(load)" >>"$work/recompute"
}
recompute_row "recompute, 1 embed node"

# A second embed node joins the running cluster; the shard node picks its workers up from the
# Receptionist (its log says "embed worker ... available"), no restart.
shard_log=$(awk '$1 == "shard" { print $6; exit }' "$LEANN_RUN_DIR/pids")
workers() { grep -c "embed worker .* available" "$shard_log" || true; }
before=$(workers)
extra_port=$(free_base 1) || die "no free ports"
"$leann_bin" serve --roles embed --hostname 127.0.0.1 --port "$extra_port" --http-port "$((extra_port + 100))" \
  --seed "127.0.0.1:$LEANN_BASE_PORT" >"$work/embed-extra.log" 2>&1 </dev/null &
extra_pid=$!
extra_up() {
  kill -0 "$extra_pid" 2>/dev/null || die "the extra embed node exited: $(tail -n 5 "$work/embed-extra.log")"
  grep -q "leann node up:" "$work/embed-extra.log" 2>/dev/null && [ "$(workers)" -gt "$before" ]
}
wait_for 180 "the second embed node" extra_up
recompute_row "recompute, 2 embed nodes"
stop_node "$extra_pid" "$extra_port"
extra_pid=
wait_for 120 "the cluster to drain" idle "$url"
deploy/local-cluster.sh stop >/dev/null

# ---------------------------------------------------------------- 4. diagnostic: batch window 0

# The 3-JVM cluster again, every node with -Dleann.embed.batch.window=0ms (the embed
# pool then sends a batch as soon as a worker is free instead of waiting for the 2 ms window).
if [ "${BENCH_WINDOW0:-1}" = 1 ]; then
  base=$(free_base 3) || die "no free ports"
  export LEANN_BASE_PORT=$base LEANN_HTTP_BASE_PORT=$((base + 100))
  url="http://127.0.0.1:$LEANN_HTTP_BASE_PORT"
  LEANN_JAVA_OPTS="-Dleann.embed.batch.window=0ms" deploy/local-cluster.sh start 1 1 >"$work/start0.log" 2>&1 \
    || die "local-cluster.sh start (window 0) failed: $(tail -n 5 "$work/start0.log")"
  wait_for 60 "index $index on the window-0 cluster" searchable "$url"
  measure_http "  same, embed batch.window=0" "$url"
  recompute_row "recompute, 1 embed node, window=0"
  wait_for 120 "the cluster to drain" idle "$url"
  deploy/local-cluster.sh stop >/dev/null
fi

# ---------------------------------------------------------------- 5. one node, every role

# single_node LABEL [JAVA OPTIONS]: `leann serve` with every role over the index dir, measured as in 2.
single_node() {
  local label=$1 base
  base=$(free_base 1) || die "no free ports"
  single_port=$base
  single_url="http://127.0.0.1:$((base + 100))"
  LEANN_JAVA_OPTS="${2:-}" "$leann_bin" serve --hostname 127.0.0.1 --port "$single_port" \
    --http-port "$((base + 100))" >"$work/single.log" 2>&1 </dev/null &
  single_pid=$!
  wait_for 180 "leann serve (one node)" single_up
  wait_for 60 "index $index on the single node" searchable "$single_url"
  measure_http "$label" "$single_url"
  stop_node "$single_pid" "$single_port"
  single_pid=
}
single_up() {
  grep -q "leann node up:" "$work/single.log" && return 0
  kill -0 "$single_pid" 2>/dev/null || die "leann serve exited: $(tail -n 5 "$work/single.log")"
  return 1
}
single_node "HTTP, 1 node (all roles)"
# Diagnostic: the same node without the embed pool's batch window (leann.embed.batch.window, 2 ms by
# default), which an idle pool waits for before it embeds a query. BENCH_WINDOW0=0 skips it.
if [ "${BENCH_WINDOW0:-1}" = 1 ]; then
  single_node "  same, embed batch.window=0" "-Dleann.embed.batch.window=0ms"
fi

# ---------------------------------------------------------------- 6. in process

native=()
[ -f "$repo/coordinator/target/onnxruntime-native/.complete" ] && native=(-Donnxruntime.native.path="$repo/coordinator/target/onnxruntime-native")
load >"$work/load"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "${native[@]}" \
  -cp "$jar" bench/cluster/InProcessSearch.java "$LEANN_INDEX_DIR" "$index" "$queries" "$top_k" "$complexity" \
  "$duration" 2 >"$work/inprocess.txt" 2>"$work/inprocess.err" || die "InProcessSearch failed: $(tail -n 20 "$work/inprocess.err")"
{ echo "--- in process (load before: $(cat "$work/load"))"; cat "$work/inprocess.txt"; } >>"$work/raw.txt"
"$PY" - "$work/inprocess.txt" "$(load)" >>"$work/table" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
lat = dict(re.findall(r"(\w+)=([\d.]+)", text.splitlines()[0]))
thr = dict(re.findall(r"(\w+)=([\d.]+)", text.splitlines()[1]))
print(f"{'in process (IndexSearcher), 2 thr.':<34} {float(lat['p50_ms']):8.2f} {float(lat['p99_ms']):8.2f} "
      f"{float(thr['req_per_s']):10.1f} {int(lat['requests']) + int(thr['requests']):9d} {0:6d}   (load {sys.argv[2]})")
PY

# ---------------------------------------------------------------- report

{
  echo
  echo "stored-vector search (p50/p99: 1 connection back to back; req/s: $connections connections, 2 wrk threads;"
  echo "in process: 1 thread, then 2 threads; requests = both runs; bad = non-200 + partial + socket errors)"
  printf '%-34s %8s %8s %10s %9s %6s\n' "" "p50 ms" "p99 ms" "req/s" "requests" "bad"
  cat "$work/table"
  echo
  # Cluster overhead: each HTTP row's p50 minus the in-process p50 (label: the first 34 characters).
  "$PY" - "$work/table" <<'PY'
import sys
rows = [(line[:34], float(line[34:].split()[0])) for line in open(sys.argv[1]) if line.strip()]
base = next(p50 for label, p50 in rows if label.startswith("in process"))
for label, p50 in rows:
    if not label.startswith("in process"):
        print(f"p50 overhead over in process: {label} {p50 - base:+8.2f} ms")
PY
  echo
  echo "recompute search (\"recompute\": true: the shard re-embeds every visited passage on the embed nodes)"
  printf '%-34s %8s %8s %10s %9s %6s\n' "" "p50 ms" "p99 ms" "req/s" "requests" "bad"
  cat "$work/recompute"
  echo
  echo "load average at end: $(load)"
  echo
  echo "== raw output =="
  cat "$work/raw.txt"
} | tee -a "$report"
mkdir -p "$(dirname "$out")"
cp "$report" "$out"
echo "cluster-latency: written to $out"
