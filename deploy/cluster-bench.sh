#!/usr/bin/env bash
# Search throughput and latency of a loopback cluster by shard-node count and replication factor.
#
#   bash deploy/cluster-bench.sh            (from the repository root; builds the jar if it is missing)
#
# For each count of shard nodes in CLUSTER_BENCH_NODES (1 2 3): starts 1 coordinator, that many
# shard nodes and 1 embed node (deploy/local-cluster.sh, 127.0.0.1, free ports, a private temp
# dir), creates two indexes of 2 shards with stored vectors, one with replicas 1 and one with
# replicas 2, ingests the same ~45 license paragraphs into both (deploy/license_docs.py), sends
# CLUSTER_BENCH_WARMUP (100) searches to each, then CLUSTER_BENCH_SEARCHES (400) searches to each
# twice, in the order 1 2 2 1, CLUSTER_BENCH_CONCURRENCY (4) at a time (deploy/search_load.py), and
# prints one line per run:
#   nodes=N replicas=R round=K searches_per_s=... p50_ms=... p99_ms=... failed=... partial=...
# Replicas 2 on 1 shard node runs 1 copy (copies never share a node). Stops exactly the JVMs it
# started (local-cluster.sh stop reads its own pids file), also on failure.
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster="$repo/deploy/local-cluster.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
nodes_list=${CLUSTER_BENCH_NODES:-1 2 3}
searches=${CLUSTER_BENCH_SEARCHES:-400}
warmup=${CLUSTER_BENCH_WARMUP:-100}
concurrency=${CLUSTER_BENCH_CONCURRENCY:-4}
query="Which patent claims does a contributor license?"

work=$(mktemp -d "${TMPDIR:-/tmp}/leann-cluster-bench.XXXXXX")
# A loaded machine (2 cores shared by several JVMs) can take more than Artery's 3 s to bind a port,
# and stall a JVM for more than the failure detector's default 3 s pause (it is then downed).
export LEANN_JAVA_OPTS=${LEANN_JAVA_OPTS:--Xmx512m -Dpekko.remote.artery.bind.bind-timeout=30s -Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=8s}
export LEANN_START_TIMEOUT=${LEANN_START_TIMEOUT:-240} LEANN_STOP_TIMEOUT=${LEANN_STOP_TIMEOUT:-20}
unset LEANN_ADMIN_TOKEN LEANN_ADMIN_KEY LEANN_API_KEY LEANN_READ_API_KEY LEANN_KEYS_FILE LEANN_REQUIRE_READ_KEY

stop_cluster() {
  if [ -n "${LEANN_RUN_DIR:-}" ] && [ -f "$LEANN_RUN_DIR/pids" ]; then
    "$cluster" stop >/dev/null 2>&1 || echo "cluster-bench: stop failed; pids in $LEANN_RUN_DIR/pids" >&2
  fi
}
trap 'status=$?; stop_cluster; [ "$status" -eq 0 ] && rm -rf "$work" || echo "cluster-bench: logs in $work" >&2' EXIT

die() {
  echo "cluster-bench: $*" >&2
  exit 1
}

# http METHOD PATH [curl args...]: body to $work/resp.json, status in $code.
http() {
  local method=$1 path=$2
  shift 2
  code=$(curl -sS -o "$work/resp.json" -w '%{http_code}' --max-time 60 -X "$method" \
    -H 'Content-Type: application/json' "$@" "$base_url$path") || code=000
}

field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/resp.json" "$1"; }

ingest() { # INDEX
  local job state deadline=$((SECONDS + 300))
  http POST "/indexes/$1/documents" --data-binary "@$work/docs.json"
  [ "$code" = 202 ] || die "POST /indexes/$1/documents answered $code: $(cat "$work/resp.json")"
  job=$(field id)
  while :; do
    http GET "/jobs/$job"
    state=$(field state)
    [ "$state" = done ] && return 0
    [ "$state" != failed ] || die "job $job failed: $(cat "$work/resp.json")"
    [ "$SECONDS" -lt "$deadline" ] || die "job $job not done after 300 s"
    sleep 1
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_ports() { # NODES
  local attempt base i ok
  for ((attempt = 1; attempt <= 50; attempt++)); do
    base=$((20000 + RANDOM % 30000))
    ok=1
    for ((i = 0; i < $1 + 2; i++)); do
      port_free $((base + i)) && port_free $((base + 100 + i)) || { ok=0; break; }
    done
    if [ "$ok" = 1 ]; then
      export LEANN_BASE_PORT=$base LEANN_HTTP_BASE_PORT=$((base + 100))
      return 0
    fi
  done
  die "no free range of ports on 127.0.0.1"
}

if [ ! -f "$repo/coordinator/target/leann.jar" ] && [ -z "${LEANN_BIN:-}" ]; then
  (cd "$repo" && . bin/jdk25.sh && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" \
    mvn -B -ntp -q -pl coordinator -am package -DskipTests)
fi
"$PY" "$repo/deploy/license_docs.py" "$work/docs.json" >/dev/null
body=$("$PY" -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "top_k": 5, "recompute": False}))' "$query")
echo "cluster-bench: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $searches searches per run, $concurrency at a time, $(date -u +%FT%TZ)"
for n in $nodes_list; do
  export LEANN_RUN_DIR="$work/run-$n" LEANN_INDEX_DIR="$work/run-$n/indexes"
  pick_ports "$n"
  base_url="http://127.0.0.1:$LEANN_HTTP_BASE_PORT"
  "$cluster" start "$n" 1 >"$work/start-$n.log" 2>&1 || die "local-cluster.sh start $n 1 failed: $(tail -n 5 "$work/start-$n.log")"
  for r in 1 2; do
    http PUT "/indexes/bench-r$r" -d "{\"shards\": 2, \"replicas\": $r, \"recompute\": false}"
    [ "$code" = 201 ] || die "PUT /indexes/bench-r$r answered $code: $(cat "$work/resp.json")"
    ingest "bench-r$r"
  done
  for r in 1 2; do
    "$PY" "$repo/deploy/search_load.py" "$base_url/indexes/bench-r$r/search" "$body" "$warmup" "$concurrency" \
      "$work/warm-$n-$r.jsonl" >/dev/null
  done
  # Two rounds in ABBA order, so that a drift (JIT, other load) favours neither factor.
  for run in "1 1" "1 2" "2 2" "2 1"; do
    set -- $run
    summary=$("$PY" "$repo/deploy/search_load.py" "$base_url/indexes/bench-r$2/search" "$body" "$searches" \
      "$concurrency" "$work/run-$n-$1-$2.jsonl")
    echo "nodes=$n replicas=$2 round=$1 $("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(" ".join(f"{k}={d[k]}" for k in ("searches_per_s", "p50_ms", "p99_ms", "failed", "partial")))' "$summary")"
  done
  stop_cluster
done
