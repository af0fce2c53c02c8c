#!/usr/bin/env bash
# Multi-JVM integration test of the LEANN cluster, through deploy/local-cluster.sh and the HTTP API.
#
#   bash deploy/cluster-it.sh            (from the repository root; builds the jar if it is missing)
#
# Starts 1 coordinator, CLUSTER_IT_SHARDS (3) shard and CLUSTER_IT_EMBEDS (2) embed JVMs on
# 127.0.0.1 with free ports, a private run dir and a private LEANN_INDEX_DIR (both under one temp
# dir), then checks in this order, each with a PASS/FAIL line:
#   - PUT /indexes/{name} with 2 shards, 2 replicas (stored vectors); POST .../documents with 44
#     paragraphs of /usr/share/common-licenses/*, the job polled until done;
#   - a search over HTTP ranks the relevant paragraph first;
#   - X-Request-Id is echoed and appears in an INFO access line (leann.access) of the coordinator,
#     of a shard node and of an embed node; GET /metrics shows the search histogram by index and
#     mode, the shards' work and HTTP status counts;
#   - malformed JSON -> 400, unknown index -> 404, body over 8 MiB -> 413, each a JSON error;
#   - GET /admin/cluster lists every node with the replicas it runs, each shard's 2 copies on
#     distinct nodes, all loaded;
#   - a shard replica moves (PUT /admin/indexes/{name}/shards/1) to the shard node without a copy of
#     that shard while CLUSTER_IT_SEARCHES searches run (4 at a time): not one fails or differs;
#   - kill -9 of a shard node under CLUSTER_IT_SEARCHES (1,000) searches, 4 at a time: every answer
#     200, complete and equal to the answer before the kill; p50/p99 before and p99 in the 10 s after
#     the kill are reported; the dead node's copies are placed again on the nodes left;
#   - kill -9 of an embed node: recompute searches answer 200 (complete, or flagged partial while the
#     dead node is still a member) and, once it is removed, complete through the other embed node;
#   - kill -9 of the coordinator right after a few 202s: a new coordinator indexes every document
#     (replayed from the index's write-ahead log) and reports every job done.
# Ends with "cluster-it: N passed, M failed"; exit 0 only when nothing failed. Whatever happens, the
# EXIT trap stops exactly the JVMs this run started (local-cluster.sh stop reads our own pids file).
# The temp dir is removed after a clean run and kept (with node logs) after a failure.
#
# Environment (optional): CLUSTER_IT_SHARDS, CLUSTER_IT_EMBEDS, CLUSTER_IT_SEARCHES, CLUSTER_IT_KEEP=1 (keep the temp dir),
# LEANN_JAVA_OPTS (default -Xmx512m, a 30 s Artery bind timeout, an 8 s heartbeat pause), LEANN_SBR_STABLE_AFTER (default 10s: how long the split-brain
# resolver waits before downing the killed nodes), LEANN_BIN (launcher, default bin/leann).
# Takes about 4 minutes on 2 cores.
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster="$repo/deploy/local-cluster.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
n_shard=${CLUSTER_IT_SHARDS:-3}
n_searches=${CLUSTER_IT_SEARCHES:-1000}
n_embed=${CLUSTER_IT_EMBEDS:-2}
index=it-licenses
passed=0
failed=0
finished=0

work=$(mktemp -d "${TMPDIR:-/tmp}/leann-cluster-it.XXXXXX")
export LEANN_RUN_DIR="$work/run" LEANN_INDEX_DIR="$work/indexes"
export LEANN_SBR_STABLE_AFTER=${LEANN_SBR_STABLE_AFTER:-10s}
# A loaded machine (2 cores shared by several JVMs) can take more than Artery's 3 s to bind a port,
# and stall a JVM for more than the failure detector's default 3 s pause (it is then downed).
export LEANN_JAVA_OPTS=${LEANN_JAVA_OPTS:--Xmx512m -Dpekko.remote.artery.bind.bind-timeout=30s -Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=8s}
export LEANN_START_TIMEOUT=${LEANN_START_TIMEOUT:-150} LEANN_STOP_TIMEOUT=${LEANN_STOP_TIMEOUT:-20}
# An open loopback cluster: no API keys from the caller's environment.
unset LEANN_ADMIN_TOKEN LEANN_ADMIN_KEY LEANN_API_KEY LEANN_READ_API_KEY LEANN_KEYS_FILE LEANN_REQUIRE_READ_KEY
pids_file="$LEANN_RUN_DIR/pids"

log() { echo "cluster-it: $*"; }

# ---------------------------------------------------------------- clean-up, always

cleanup() {
  local status=$?
  trap - EXIT INT TERM ERR
  if [ "$finished" = 0 ]; then
    # Ended early (interrupted, or an error outside the checks): that counts as a failure.
    echo "cluster-it: $passed passed, $((failed + 1)) failed (stopped early, status $status)"
    [ "$status" -ne 0 ] || status=1
  fi
  if [ -f "$pids_file" ]; then
    if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
      local role pid address logf
      while read -r role pid _ _ address logf; do
        echo "----- last lines of $role ($address, pid $pid): $logf" >&2
        tail -n 15 "$logf" >&2 2>/dev/null || true
      done <"$pids_file"
    fi
    "$cluster" stop >/dev/null 2>&1 || echo "cluster-it: local-cluster.sh stop failed; pids in $pids_file" >&2
  fi
  if [ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "${CLUSTER_IT_KEEP:-0}" != 1 ]; then
    rm -rf "$work"
  else
    echo "cluster-it: logs and index kept in $work" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "cluster-it: unexpected error at line $LINENO: $BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------- helpers

# Counts one check: "check NAME FUNCTION" runs FUNCTION in a subshell (so that fail can end it) and
# prints PASS with the function's output, or FAIL with its message.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "PASS: $name${out:+ ($out)}"
  else
    failed=$((failed + 1))
    echo "FAIL: $name: ${out:-no detail}"
    return 1
  fi
}

# Ends the current check (a subshell) with a message.
fail() {
  echo "$*"
  exit 1
}

# http METHOD PATH [curl args...]: body to $work/resp.json, status in $code.
http() {
  local method=$1 path=$2
  shift 2
  code=$(curl -sS -o "$work/resp.json" -w '%{http_code}' --max-time 30 -X "$method" \
    -H 'Content-Type: application/json' -H 'Expect:' "$@" "$base_url$path" 2>"$work/curl.err") || code=000
}

# json FILE EXPR: prints the Python expression EXPR over the parsed file (as d), JSON-encoded unless a str.
json() {
  "$PY" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2], {"d": d})
print(v if isinstance(v, str) else json.dumps(v))
PY
}

# Whether the last response ($work/resp.json) is a 200 with a complete answer (partial=false).
complete_answer() {
  [ "$code" = 200 ] && [ "$(json "$work/resp.json" 'd["partial"]')" = false ]
}

search_body() { # query top_k recompute
  "$PY" -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "top_k": int(sys.argv[2]), "recompute": sys.argv[3] == "true"}))' "$@"
}

# Free ports: base..base+n for remoting and http..http+n for HTTP, all unused on 127.0.0.1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_ports() {
  local n=$((1 + n_shard + n_embed)) attempt base i ok
  for ((attempt = 1; attempt <= 50; attempt++)); do
    base=$((20000 + RANDOM % 30000))
    ok=1
    for ((i = 0; i < n; i++)); do
      if ! port_free $((base + i)) || ! port_free $((base + 100 + i)); then
        ok=0
        break
      fi
    done
    if [ "$ok" = 1 ]; then
      export LEANN_BASE_PORT=$base LEANN_HTTP_BASE_PORT=$((base + 100))
      return 0
    fi
  done
  return 1
}

node_field() { # ROLE INDEX FIELD(2=pid,5=address): the INDEX-th node (1-based) of that role in the pids file
  awk -v r="$1" -v n="$2" -v f="$3" '$1 == r { c++; if (c == n) { print $f; exit } }' "$pids_file"
}
pid_of_address() { awk -v a="$1" '$5 == a { print $2; exit }' "$pids_file"; }

# placement SHARD [REPLICA]: the actual_node of that replica (default 0) of shard SHARD of $index
# ("" when not started or unknown).
placement() {
  http GET /admin/shards
  [ "$code" = 200 ] || { echo ""; return 0; }
  json "$work/resp.json" "next((s['actual_node'] or '' for s in d['shards'] if s['index'] == '$index' and s['shard'] == $1 and s['replica'] == ${2:-0}), '')"
}

# load N OUT: N searches for $stream_query, 4 at a time (deploy/search_load.py: one JSON line per
# search in OUT, progress in OUT.count, the start in OUT.t0). Compare with analyse_load.
load() {
  "$PY" "$repo/deploy/search_load.py" "$base_url/indexes/$index/search" "$(search_body "$stream_query" 5 false)" \
    "$1" 4 "$2" >"$2.summary"
}

# answers OUT: how many answers the load writing OUT has (its count file is rewritten as answers
# come in, so it can be empty for an instant: that counts as 0).
answers() {
  local n
  n=$(cat "$1.count" 2>/dev/null || true)
  echo "${n:-0}"
}

# await_load OUT N: waits (at most 120 s) until the load writing OUT has N answers.
await_load() {
  local deadline=$((SECONDS + 120))
  until [ "$(answers "$1")" -ge "$2" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the search load has $(answers "$1") answers, not $2, after 120 s"
    sleep 0.2
  done
}

# analyse_load OUT [EVENT_S]: every answer must be 200, complete and equal to $work/baseline.json;
# prints the count, p50 and p99 (ms), and with EVENT_S (s since the load began) the p99 and max of
# the searches that started in the 10 s after it.
analyse_load() {
  "$PY" - "$1" "$work/baseline.json" "${2:-}" <<'PY' || exit 1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
want = [h["id"] for h in json.load(open(sys.argv[2]))["results"]]
event = float(sys.argv[3]) if sys.argv[3] else None
bad = [r for r in rows if r["status"] != 200 or r["partial"] is not False or r["ids"] != want]
def pct(ms, p):
    ms = sorted(ms)
    return ms[min(len(ms) - 1, int(round(p / 100 * (len(ms) - 1))))] if ms else float("nan")
ms = [1000 * (r["end"] - r["start"]) for r in rows]
if bad:
    print(f"{len(bad)} of {len(rows)} answers failed, partial or wrong: "
          + "; ".join(f"#{r['seq']} ({r['id']}) {r['status']} partial={r['partial']} {r['ids']}" for r in bad[:5]))
    sys.exit(1)
msg = f"{len(rows)} searches all complete and equal to the baseline; p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms"
if event is not None:
    before = [1000 * (r["end"] - r["start"]) for r in rows if r["end"] < event]
    during = [1000 * (r["end"] - r["start"]) for r in rows if event <= r["start"] < event + 10]
    msg += (f"; before: p50 {pct(before, 50):.1f} p99 {pct(before, 99):.1f} ms ({len(before)}); "
            f"10 s after: p50 {pct(during, 50):.1f} p99 {pct(during, 99):.1f} max {max(during, default=0):.1f} ms ({len(during)})")
print(msg)
PY
}

# ---------------------------------------------------------------- steps

start_cluster() {
  "$cluster" start "$n_shard" "$n_embed" >"$work/start.log" 2>&1 || fail "local-cluster.sh start failed: $(tail -n 5 "$work/start.log")"
  http GET /health
  [ "$code" = 200 ] || fail "GET /health answered $code"
  echo "1 coordinator, $n_shard shard, $n_embed embed JVMs; remoting ports from $LEANN_BASE_PORT, HTTP $base_url"
}

create_index() {
  http PUT "/indexes/$index" -d '{"shards": 2, "replicas": 2, "recompute": false}'
  [ "$code" = 201 ] || fail "PUT /indexes/$index answered $code: $(cat "$work/resp.json")"
  [ "$(json "$work/resp.json" 'd.get("name")')" = "$index" ] || fail "unexpected body: $(cat "$work/resp.json")"
  echo "created with 2 shards, 2 replicas"
}

# ~45 paragraphs of Debian's license texts, each with its source file and paragraph number.
make_documents() {
  "$PY" "$repo/deploy/license_docs.py" "$work/docs.json"
}

# await_job: waits for the job the last response (a 202) started, and sets $job to its id; fails
# the check if the job fails or takes over 120 s. (No output: `fail` must reach the check's output.)
await_job() {
  local state deadline=$((SECONDS + 120))
  job=$(json "$work/resp.json" 'd["id"]')
  while :; do
    http GET "/jobs/$job"
    [ "$code" = 200 ] || fail "GET /jobs/$job answered $code"
    state=$(json "$work/resp.json" 'd["state"]')
    case $state in
      done) return 0 ;;
      failed) fail "job $job failed: $(cat "$work/resp.json")" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || fail "job $job not done after 120 s: $(cat "$work/resp.json")"
    sleep 1
  done
}

ingest() {
  local n job
  n=$(make_documents)
  http POST "/indexes/$index/documents" --data-binary "@$work/docs.json"
  [ "$code" = 202 ] || fail "POST documents answered $code: $(cat "$work/resp.json")"
  await_job
  http GET "/indexes/$index"
  echo "$n documents, job $job done; index: $(json "$work/resp.json" '{k: d.get(k) for k in ("status", "shards", "passages")}')"
}

# Deletes the CC0 paragraphs by their metadata: the index loses their passages, a search filtered
# on them finds nothing, and the rest still answers completely.
delete_by_metadata() {
  local before after job cc0='{"source": {"==": "CC0-1.0"}}'
  http GET "/indexes/$index"
  before=$(json "$work/resp.json" 'd["passages"]')
  http POST "/indexes/$index/documents/delete" -d "{\"metadata_filters\": $cc0}"
  [ "$code" = 202 ] || fail "POST documents/delete answered $code: $(cat "$work/resp.json")"
  await_job
  http GET "/indexes/$index"
  after=$(json "$work/resp.json" 'd["passages"]')
  [ "$after" -lt "$before" ] || fail "still $after passages after the delete (before: $before)"
  http POST "/indexes/$index/search" -d "{\"query\": \"public domain dedication\", \"top_k\": 5, \"metadata_filters\": $cc0}"
  complete_answer || fail "filtered search after the delete: $code $(cat "$work/resp.json")"
  [ "$(json "$work/resp.json" 'len(d["results"])')" = 0 ] || fail "CC0 passages still found: $(cat "$work/resp.json")"
  http POST "/indexes/$index/search" -d "$(search_body "public domain dedication" 5 false)"
  complete_answer || fail "search after the delete: $code $(cat "$work/resp.json")"
  echo "$before -> $after passages; top hit now $(json "$work/resp.json" 'd["results"][0]["metadata"]["source"]')"
  # The kill test compares with the answer of the index as it is now.
  http POST "/indexes/$index/search" -d "$(search_body "$stream_query" 5 false)"
  complete_answer || fail "baseline search after the delete failed: $code $(cat "$work/resp.json")"
  cp "$work/resp.json" "$work/baseline.json"
}

request_id_and_metrics() {
  local id=cluster-it-$$
  curl -sS -D "$work/headers" -o "$work/resp.json" --max-time 30 -X POST -H 'Content-Type: application/json' \
    -H "X-Request-Id: $id" -d "$(search_body "copying fee" 3 false)" "$base_url/indexes/$index/search" \
    || fail "search with a request id failed: $(cat "$work/resp.json")"
  grep -qi "^x-request-id: $id" "$work/headers" || fail "X-Request-Id $id not echoed: $(cat "$work/headers")"
  # Every hop logs it at INFO on leann.access: the coordinator, a shard node, an embed node.
  local role pid logf hops=""
  while read -r role pid _ _ _ logf; do
    grep -q "leann.access.*id=$id" "$logf" && hops="$hops $role"
  done <"$pids_file"
  for role in coordinator shard embed; do
    grep -qw "$role" <<<"$hops" || fail "no access line with id=$id in any $role log (found in:$hops)"
  done
  http GET /metrics
  [ "$code" = 200 ] || fail "GET /metrics answered $code"
  local m="$work/resp.json"
  grep -q "^leann_search_seconds_count{index=\"$index\",mode=\"stored\"" "$m" || fail "no search histogram for $index"
  grep -q "^leann_search_work_total{index=\"$index\",mode=\"stored\",.*stat=\"nodes_visited\"} [1-9]" "$m" \
    || fail "no shard work counted for $index"
  grep -q '^leann_http_server_requests_seconds_count{method="POST",.*route="/indexes/{name}/search",status="200"}' "$m" \
    || fail "no HTTP status count for searches"
  echo "access lines on:$hops; $(grep -c '^leann_' "$m") leann_* samples; $(grep -m 1 "^leann_search_seconds_count{index=\"$index\"" "$m")"
}

search_relevant() {
  local body
  body=$(search_body "What fee may I charge for copying, given the cost of media and duplication?" 5 false)
  http POST "/indexes/$index/search" -d "$body"
  [ "$code" = 200 ] || fail "search answered $code: $(cat "$work/resp.json")"
  # Not the last command: without `|| exit 1` a failed assertion would not fail the check (command
  # substitution runs it without errexit).
  "$PY" - "$work/resp.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"]
assert not d["partial"] and len(r) == 5, f"want 5 complete results, got {len(r)} partial={d['partial']}"
top = r[0]
assert top["metadata"].get("source") == "Artistic" and "copying fee" in top["text"], \
    f"top hit is {top['metadata']} {top['text'][:80]!r}"
print(f"top hit Artistic/{top['metadata'].get('paragraph')} score {top['score']:.3f}, {d['timing_ms']['total']:.1f} ms")
PY
  # The baseline for the kill test: the complete answer of the stream's query.
  http POST "/indexes/$index/search" -d "$(search_body "$stream_query" 5 false)"
  complete_answer || fail "baseline search failed: $code $(cat "$work/resp.json")"
  cp "$work/resp.json" "$work/baseline.json"
}

bad_json() {
  http POST "/indexes/$index/search" -d '{"query": "unterminated'
  [ "$code" = 400 ] || fail "answered $code, want 400: $(cat "$work/resp.json")"
  [ "$(json "$work/resp.json" 'd["error"]["code"]')" = bad_request ] || fail "not a JSON error: $(cat "$work/resp.json")"
  echo "400 $(json "$work/resp.json" 'd["error"]["code"]')"
}

unknown_index() {
  http POST /indexes/no-such-index/search -d '{"query": "anything"}'
  [ "$code" = 404 ] || fail "answered $code, want 404: $(cat "$work/resp.json")"
  json "$work/resp.json" 'd["error"]["code"]' >/dev/null || fail "not a JSON error: $(cat "$work/resp.json")"
  echo "404 $(json "$work/resp.json" 'd["error"]["code"]')"
}

oversize_body() {
  "$PY" -c 'import json,sys; json.dump([{"text": "lorem ipsum " * (800 * 1024)}], open(sys.argv[1], "w"))' "$work/big.json"
  http POST "/indexes/$index/documents" --data-binary "@$work/big.json"
  [ "$code" = 413 ] || fail "a $(stat -c %s "$work/big.json")-byte body answered $code, want 413: $(head -c 300 "$work/resp.json") $(cat "$work/curl.err")"
  json "$work/resp.json" 'd["error"]["code"]' >/dev/null || fail "not a JSON error: $(head -c 300 "$work/resp.json")"
  rm -f "$work/big.json"
  echo "413 $(json "$work/resp.json" 'd["error"]["code"]')"
}

# GET /admin/cluster once every copy of the index runs and is loaded (searches load them).
cluster_view() {
  local deadline=$((SECONDS + 60)) ok
  while :; do
    http POST "/indexes/$index/search" -d "$(search_body "$stream_query" 5 false)"
    http GET /admin/cluster
    [ "$code" = 200 ] || fail "GET /admin/cluster answered $code"
    ok=$(json "$work/resp.json" "str(sorted((r['shard'], r['replica'], r['state']) for n in d['nodes'] for r in n['shards'] if r['index'] == '$index') == [(0, 0, 'loaded'), (0, 1, 'loaded'), (1, 0, 'loaded'), (1, 1, 'loaded')])")
    [ "$ok" = True ] && break
    [ "$SECONDS" -lt "$deadline" ] || fail "not every copy loaded after 60 s: $(cat "$work/resp.json")"
    sleep 1
  done
  "$PY" - "$work/resp.json" "$index" <<'PY' || exit 1
import json, sys
d, index = json.load(open(sys.argv[1])), sys.argv[2]
holders = {}
for n in d["nodes"]:
    for r in n["shards"]:
        if r["index"] == index:
            holders.setdefault(r["shard"], []).append(n["address"])
assert all(len(set(a)) == 2 for a in holders.values()), f"copies share a node: {holders}"
assert {"index": index, "shards": 2, "replicas": 2, "copies": 2} in d["indexes"], d["indexes"]
assert not d["moving"] and not d["unplaced"], d
print(f"{len(d['nodes'])} nodes; copies of each shard on distinct nodes: " + ", ".join(
    f"shard {k}: " + " + ".join(a.rsplit(":", 1)[1] for a in v) for k, v in sorted(holders.items())))
PY
}

# Moves replica 0 of shard 1 to the shard node that holds no copy of shard 1, under load.
move_shard() {
  local from other to deadline=$((SECONDS + 60)) shard_nodes load_pid
  from=$(placement 1 0)
  other=$(placement 1 1)
  [ -n "$from" ] && [ -n "$other" ] || fail "shard 1 has no actual nodes: $(cat "$work/resp.json")"
  shard_nodes=$(awk '$1 == "shard" { print $5 }' "$pids_file")
  to=$(grep -vxF -e "$from" -e "$other" <<<"$shard_nodes" | head -n 1)
  [ -n "$to" ] || fail "no shard node without a copy of shard 1 (copies on $from and $other)"
  rm -f "$work/move.jsonl"*
  load "$n_searches" "$work/move.jsonl" &
  load_pid=$!
  trap 'kill "$load_pid" 2>/dev/null || true' EXIT
  await_load "$work/move.jsonl" 50
  http PUT "/admin/indexes/$index/shards/1" -d "{\"node\": \"$to\", \"replica\": 0}"
  [ "$code" = 200 ] || fail "move answered $code: $(cat "$work/resp.json")"
  [ "$(json "$work/resp.json" 'd["desired_node"]')" = "$to" ] || fail "desired_node not set: $(cat "$work/resp.json")"
  while [ "$(placement 1 0)" != "$to" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "shard 1 still on $(placement 1 0) 60 s after the move to $to"
    sleep 0.5
  done
  local moved_after=$((60 - deadline + SECONDS))
  wait "$load_pid" || fail "the search load failed"
  trap - EXIT
  analyse_load "$work/move.jsonl" | tr -d '\n'
  echo "; shard 1 replica 0 moved $from -> $to in ${moved_after}s, under the load"
}

kill_shard_node() {
  local victim victim_pid deadline load_pid kill_at
  victim=$(placement 0 0)
  victim_pid=$(pid_of_address "$victim")
  [ -n "$victim_pid" ] || fail "no pid recorded for $victim"
  rm -f "$work/kill.jsonl"*
  load "$n_searches" "$work/kill.jsonl" &
  load_pid=$!
  trap 'kill "$load_pid" 2>/dev/null || true' EXIT
  await_load "$work/kill.jsonl" $((n_searches / 4))
  kill -KILL "$victim_pid"
  kill_at=$("$PY" -c "import sys, time; print(round(time.time() - float(open(sys.argv[1]).read()), 3))" "$work/kill.jsonl.t0")
  wait "$load_pid" || fail "the search load failed"
  trap - EXIT
  analyse_load "$work/kill.jsonl" "$kill_at" | tr -d '\n'
  # The dead node's copies are placed again on the shard nodes left, apart from their twins.
  deadline=$((SECONDS + 90))
  while :; do
    http POST "/indexes/$index/search" -d "$(search_body "$stream_query" 5 false)"
    http GET /admin/cluster
    if [ "$code" = 200 ] && [ "$(json "$work/resp.json" "str(not d['unplaced'] and not d['moving'] and len({(r['shard'], r['replica']) for n in d['nodes'] if n['status'] == 'up' for r in n['shards'] if r['index'] == '$index'}) == 4)")" = True ]; then
      break
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "copies of $victim not placed again after 90 s: $(cat "$work/resp.json")"
    sleep 1
  done
  echo "; killed $victim (pid $victim_pid) at ${kill_at}s, its copies placed again"
}

kill_embed_node() {
  local victim_pid victim body i deadline streak=0 gone=0 before ids_before ids times=()
  body=$(search_body "$stream_query" 5 true)
  http POST "/indexes/$index/search" -d "$body"
  complete_answer || fail "recompute search before the kill: $code $(cat "$work/resp.json")"
  ids_before=$(json "$work/resp.json" '[h["id"] for h in d["results"]]')
  before=$(json "$work/resp.json" 'round(d["timing_ms"]["total"])')
  victim_pid=$(node_field embed 1 2)
  victim=$(node_field embed 1 5)
  kill -KILL "$victim_pid"
  # Until the dead node is removed from the cluster a search may still pick it and wait for its
  # timeout; it must then answer 200, complete or flagged partial. After the removal, recompute
  # searches must be complete, with the same answer as before the kill.
  deadline=$((SECONDS + 90))
  for ((i = 1; i <= 60; i++)); do
    http POST "/indexes/$index/search" -d "$body"
    [ "$code" = 200 ] || fail "recompute search #$i after killing $victim answered $code: $(cat "$work/resp.json")"
    times+=("$(json "$work/resp.json" 'round(d["timing_ms"]["total"])')")
    if complete_answer; then
      ids=$(json "$work/resp.json" '[h["id"] for h in d["results"]]')
      [ "$ids" = "$ids_before" ] || fail "recompute answer #$i changed: $ids, before the kill $ids_before"
      streak=$((streak + 1))
    else
      [ "$(json "$work/resp.json" 'len(d["missing_shards"])')" -gt 0 ] || fail "search #$i: short answer without partial/missing_shards"
      streak=0
    fi
    if [ "$gone" = 0 ]; then
      http GET /admin/nodes
      [ "$code" = 200 ] && ! grep -qF "\"$victim\"" "$work/resp.json" && { gone=$i; streak=0; }
    fi
    [ "$gone" -gt 0 ] && [ "$streak" -ge 5 ] && break
    [ "$SECONDS" -lt "$deadline" ] || fail "no 5 complete recompute searches in a row within 90 s of killing $victim (removed: $gone)"
  done
  if [ "$gone" = 0 ] || [ "$streak" -lt 5 ]; then fail "recompute searches did not recover after killing $victim"; fi
  echo "killed $victim (pid $victim_pid); $i recompute searches, node removed after #$gone, the last 5 complete;" \
    "ms: before ${before}, after ${times[*]}"
}

# Durable ingest: kill -9 the coordinator right after a few 202s, start a new coordinator (joining
# through a live shard node), and check that every accepted document is indexed and every job is
# done: the 202s were on disk (the index's write-ahead log) and the new coordinator replays them.
kill_coordinator_after_202() {
  local coord_pid seed_port port http log i n=8 jobs=() pid deadline replayed found
  coord_pid=$(node_field coordinator 1 2)
  [ -n "$coord_pid" ] || fail "no coordinator pid recorded"
  for ((i = 0; i < n; i++)); do
    http POST "/indexes/$index/documents" -d "[{\"text\": \"Durable note $i: the lighthouse on skerry $i logs zeppelin $i in its brass ledger.\", \"metadata\": {\"source\": \"durable\", \"n\": $i}}]"
    [ "$code" = 202 ] || fail "POST documents $i answered $code: $(cat "$work/resp.json")"
    jobs+=("$(json "$work/resp.json" 'd["id"]')")
  done
  kill -KILL "$coord_pid"
  seed_port=$(awk '$1 == "shard" { print $2, $3 }' "$pids_file" | while read -r p port; do
    kill -0 "$p" 2>/dev/null && { echo "$port"; break; }; done)
  [ -n "$seed_port" ] || fail "no live shard node to join through"
  port=$((LEANN_BASE_PORT + 1 + n_shard + n_embed))
  http=$((LEANN_HTTP_BASE_PORT + 1 + n_shard + n_embed))
  port_free "$port" && port_free "$http" || fail "ports $port/$http for the new coordinator are taken"
  log=$LEANN_RUN_DIR/coordinator-2.log
  "${LEANN_BIN:-$repo/bin/leann}" serve --roles coordinator --hostname 127.0.0.1 --port "$port" --http-port "$http" \
    --seed "127.0.0.1:$seed_port" >"$log" 2>&1 </dev/null &
  pid=$!
  # Recorded like the others, so local-cluster.sh stop (the EXIT trap) stops it too.
  echo "coordinator $pid $port $http pekko://leann@127.0.0.1:$port $log" >>"$pids_file"
  base_url="http://127.0.0.1:$http"
  deadline=$((SECONDS + 150))
  until grep -q "leann node up:" "$log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || fail "the new coordinator exited: $(tail -n 5 "$log")"
    [ "$SECONDS" -lt "$deadline" ] || fail "the new coordinator is not up after 150 s"
    sleep 1
  done
  for job in "${jobs[@]}"; do
    deadline=$((SECONDS + 120))
    while :; do
      http GET "/jobs/$job"
      if [ "$code" = 200 ]; then
        case $(json "$work/resp.json" 'd["state"]') in
          done) break ;;
          failed) fail "job $job failed after the restart: $(cat "$work/resp.json")" ;;
        esac
      fi
      [ "$SECONDS" -lt "$deadline" ] || fail "job $job not done 120 s after the restart (last: $code $(cat "$work/resp.json"))"
      sleep 1
    done
  done
  http POST "/indexes/$index/search" -d "{\"query\": \"lighthouse zeppelin ledger\", \"top_k\": $((n + 5)), \"recompute\": false, \"metadata_filters\": {\"source\": {\"==\": \"durable\"}}}"
  complete_answer || fail "search after the restart answered $code: $(cat "$work/resp.json")"
  found=$(json "$work/resp.json" 'len({h["metadata"]["n"] for h in d["results"]})')
  [ "$found" = "$n" ] || fail "$found of the $n accepted documents are indexed after the restart"
  replayed=$(grep -c "replaying the job" "$log" || true)
  echo "$n batches accepted, coordinator killed; the new one replayed $replayed of them, all $n documents indexed, jobs done"
}

# ---------------------------------------------------------------- main

stream_query="Which patent claims does a contributor license?"

finish() {
  finished=1
  echo "cluster-it: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

[ "$n_shard" -ge 3 ] || { log "CLUSTER_IT_SHARDS must be at least 3 (a copy moves to the node without one, and the copies of a killed node need two nodes left)"; exit 2; }
if [ ! -f "$repo/coordinator/target/leann.jar" ] && [ -z "${LEANN_BIN:-}" ]; then
  log "building coordinator/target/leann.jar"
  # shellcheck source=bin/jdk25.sh
  (cd "$repo" && . bin/jdk25.sh && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" \
    mvn -B -ntp -q -pl coordinator -am package -DskipTests)
fi
pick_ports || { log "no free range of ports found on 127.0.0.1"; exit 1; }
base_url="http://127.0.0.1:$LEANN_HTTP_BASE_PORT"

check "cluster start" start_cluster || { finish; exit 1; }
check "create index with 2 shards, 2 replicas" create_index || { finish; exit 1; }
check "ingest documents" ingest || { finish; exit 1; }
check "search ranks the relevant paragraph first" search_relevant || { finish; exit 1; }
check "request id echoed, search in /metrics" request_id_and_metrics || true
check "malformed JSON -> 400" bad_json || true
check "unknown index -> 404" unknown_index || true
check "body over 8 MiB -> 413" oversize_body || true
check "delete documents by metadata" delete_by_metadata || true
check "GET /admin/cluster: copies on distinct nodes, loaded" cluster_view || true
check "move a replica under $n_searches searches, none failed" move_shard || { finish; exit 1; }
check "kill -9 a shard node under $n_searches searches (replication 2), all complete" kill_shard_node || true
if [ "$n_embed" -ge 2 ]; then
  check "kill -9 an embed node, recompute continues" kill_embed_node || true
else
  log "one embed node only: the embed kill step is skipped"
fi
check "kill -9 the coordinator right after 202s, nothing lost" kill_coordinator_after_202 || true
finish
