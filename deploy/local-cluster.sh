#!/usr/bin/env bash
# A LEANN cluster of several JVMs on 127.0.0.1, for development and the multi-JVM tests.
#
#   deploy/local-cluster.sh start [N_SHARD] [N_EMBED]   1 coordinator + N_SHARD shard + N_EMBED embed nodes
#                                                        (default 2 and 1); waits until every node is up
#   deploy/local-cluster.sh status                      each node: alive or not, ports, log
#   deploy/local-cluster.sh stop                        SIGTERM to exactly the recorded PIDs, SIGKILL after a grace
#
# Node i (0 = coordinator, then shards, then embed nodes) listens on remoting port LEANN_BASE_PORT+i
# and gets HTTP port LEANN_HTTP_BASE_PORT+i (only coordinator nodes serve HTTP); every node but the
# coordinator joins the coordinator as its seed. A node counts as up when its log shows the
# "leann node up:" line that `leann serve` prints once it is a cluster member.
#
# Environment (all optional):
#   LEANN_RUN_DIR         logs and the pids file     (default <repo>/target/local-cluster)
#   LEANN_INDEX_DIR       index root shared by all   (default $LEANN_RUN_DIR/indexes)
#   LEANN_BASE_PORT       first remoting port        (default 2552)
#   LEANN_HTTP_BASE_PORT  first HTTP port            (default 8080)
#   LEANN_START_TIMEOUT   seconds to wait per stage  (default 180)
#   LEANN_STOP_TIMEOUT    seconds between TERM and KILL (default 30)
#   LEANN_BIN             the launcher               (default <repo>/bin/leann)
#   LEANN_API_KEY, LEANN_ADMIN_KEY, ... (README.md, "Access control"), LEANN_JAVA_OPTS
#                         passed on to every node (bin/leann reads LEANN_JAVA_OPTS)
#
# The pids file ($LEANN_RUN_DIR/pids) has one line per node:
#   <role> <pid> <remoting port> <http port> <address> <log file>
# `stop` signals only those PIDs, and only while each still runs `serve` on its recorded port
# (checked in /proc), so a recycled PID is never hit. It never uses pkill or killall.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run_dir=${LEANN_RUN_DIR:-$repo/target/local-cluster}
pids_file=$run_dir/pids
base_port=${LEANN_BASE_PORT:-2552}
http_base=${LEANN_HTTP_BASE_PORT:-8080}
start_timeout=${LEANN_START_TIMEOUT:-180}
stop_timeout=${LEANN_STOP_TIMEOUT:-30}
leann_bin=${LEANN_BIN:-$repo/bin/leann}
up_marker="leann node up:"

# "pid:port" of the nodes started by this invocation of `start`, stopped again if start fails.
started=()

die() {
  echo "local-cluster: $*" >&2
  exit 1
}

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Whether node "pid:port" is alive and still ours: the PID runs `serve` on that remoting port.
is_ours() {
  local pid=${1%%:*} port=${1##*:} cmdline
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *" serve "* && $cmdline == *" --port $port "* ]]
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Sends TERM to the given "pid:port" nodes, waits up to $stop_timeout seconds, then KILLs what is left.
terminate() {
  local node waited=0 alive
  for node in "$@"; do
    if is_ours "$node"; then
      kill -TERM "${node%%:*}" 2>/dev/null || true
    fi
  done
  while :; do
    alive=()
    for node in "$@"; do
      if is_ours "$node"; then
        alive+=("${node%%:*}")
      fi
    done
    [ ${#alive[@]} -eq 0 ] && return 0
    if [ "$waited" -ge "$stop_timeout" ]; then
      echo "local-cluster: still running after ${stop_timeout}s, sending KILL to: ${alive[*]}" >&2
      kill -KILL "${alive[@]}" 2>/dev/null || true
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

cleanup_failed_start() {
  local status=$?
  trap - EXIT INT TERM
  if [ ${#started[@]} -gt 0 ]; then
    echo "local-cluster: start failed, stopping the ${#started[@]} node(s) it started" >&2
    terminate "${started[@]}"
    rm -f "$pids_file"
  fi
  exit "$status"
}

# Starts one node in the background and records it; prints nothing.
launch() {
  local role=$1 index=$2 seed_port=$3
  local port=$((base_port + index)) http=$((http_base + index))
  local name=$role log
  [ "$role" = coordinator ] || name="$role-$index"
  log=$run_dir/$name.log
  for p in "$port" "$http"; do
    if port_in_use "$p"; then
      die "port $p on 127.0.0.1 is taken (for $name); set LEANN_BASE_PORT / LEANN_HTTP_BASE_PORT"
    fi
  done
  LEANN_INDEX_DIR=$index_dir nohup "$leann_bin" serve --roles "$role" --hostname 127.0.0.1 --port "$port" \
    --http-port "$http" --seed "127.0.0.1:$seed_port" >"$log" 2>&1 </dev/null &
  local pid=$!
  started+=("$pid:$port")
  echo "$role $pid $port $http pekko://leann@127.0.0.1:$port $log" >>"$pids_file"
}

# Waits until every node of the pids file named in "$@" ("pid:port") has logged the up marker.
await_up() {
  local deadline=$((SECONDS + start_timeout)) pending role pid port http address log
  while :; do
    pending=0
    while read -r role pid port http address log; do
      [[ " $* " == *" $pid:$port "* ]] || continue
      if grep -q "$up_marker" "$log" 2>/dev/null; then
        continue
      fi
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "local-cluster: $role node (pid $pid) exited before it was up; last lines of $log:" >&2
        tail -n 20 "$log" >&2 || true
        return 1
      fi
      pending=$((pending + 1))
    done <"$pids_file"
    [ "$pending" -eq 0 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "local-cluster: $pending node(s) not up after ${start_timeout}s; see the logs in $run_dir" >&2
      return 1
    fi
    sleep 1
  done
}

cmd_start() {
  local n_shard=${1:-2} n_embed=${2:-1} i
  [[ $n_shard =~ ^[0-9]+$ && $n_embed =~ ^[0-9]+$ ]] || die "N_SHARD and N_EMBED must be numbers: '$n_shard' '$n_embed'"
  [ -x "$leann_bin" ] || die "no launcher at $leann_bin"
  if [ -f "$pids_file" ]; then
    while read -r _ pid port _; do
      if is_ours "$pid:$port"; then
        die "a cluster from $pids_file is still running; run '$0 stop' first"
      fi
    done <"$pids_file"
    rm -f "$pids_file"
  fi
  mkdir -p "$run_dir"
  index_dir=${LEANN_INDEX_DIR:-$run_dir/indexes}
  mkdir -p "$index_dir"
  : >"$pids_file"
  trap cleanup_failed_start EXIT INT TERM

  # One run first builds the jar (and the class-data archive) if needed, so that the nodes
  # started next do not all try to build it at the same time.
  "$leann_bin" --version >/dev/null || die "$leann_bin --version failed: the jar does not build or start"

  launch coordinator 0 "$base_port"
  await_up "${started[0]}"
  for ((i = 1; i <= n_shard; i++)); do
    launch shard "$i" "$base_port"
  done
  for ((i = n_shard + 1; i <= n_shard + n_embed; i++)); do
    launch embed "$i" "$base_port"
  done
  await_up "${started[@]:1}"
  trap - EXIT INT TERM

  echo "local cluster up: 1 coordinator, $n_shard shard, $n_embed embed node(s); index dir $index_dir"
  print_nodes
  echo "HTTP API: http://127.0.0.1:$http_base   stop with: $0 stop"
}

print_nodes() {
  local role pid port http address log state
  printf '%-12s %-8s %-6s %-34s %-6s %s\n' ROLE PID STATE ADDRESS HTTP LOG
  while read -r role pid port http address log; do
    if is_ours "$pid:$port"; then state=up; else state=down; fi
    [ "$role" = coordinator ] || http=-
    printf '%-12s %-8s %-6s %-34s %-6s %s\n' "$role" "$pid" "$state" "$address" "$http" "$log"
  done <"$pids_file"
}

cmd_status() {
  [ -f "$pids_file" ] || { echo "no local cluster recorded in $pids_file"; return 0; }
  print_nodes
  local http
  http=$(awk '$1 == "coordinator" { print $4; exit }' "$pids_file")
  if [ -n "$http" ] && command -v curl >/dev/null; then
    echo "coordinator /health: $(curl -s --max-time 3 "http://127.0.0.1:$http/health" || echo unreachable)"
  fi
}

cmd_stop() {
  [ -f "$pids_file" ] || { echo "no local cluster recorded in $pids_file"; return 0; }
  local nodes=() pid port
  while read -r _ pid port _; do
    nodes+=("$pid:$port")
  done <"$pids_file"
  if [ ${#nodes[@]} -gt 0 ]; then
    # Shard and embed nodes first, so they leave a cluster that still has its seed.
    terminate "${nodes[@]:1}"
    terminate "${nodes[0]}"
  fi
  rm -f "$pids_file"
  echo "local cluster stopped (${#nodes[@]} node(s))"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
