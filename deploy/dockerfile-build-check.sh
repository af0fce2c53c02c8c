#!/usr/bin/env bash
# Runs deploy/Dockerfile without Docker (CI has no Docker engine), as far as that is possible:
#
#   bash deploy/dockerfile-build-check.sh        (from anywhere; ~2 min, mostly the Maven build)
#
# 1. The build stage (FROM ... AS build up to the next FROM): its WORKDIR, `COPY . .` (the build
#    context less Dockerfile.dockerignore) and RUN lines are replayed in a temp dir, RUN through
#    bash with BuildKit's --mount flags dropped (~/.m2 plays the cache mount). Any other instruction
#    in that stage fails the check, so the script and the Dockerfile cannot drift apart silently.
# 2. The runtime stage's `COPY --from=build` sources must exist after that build, and the jar must
#    hold the ONNX model the image promises.
# 3. The runtime stage's ENTRYPOINT + CMD run with its ENV (LEANN_INDEX_DIR moved into the temp
#    dir). Without API keys they must refuse to start (the CMD binds 0.0.0.0: secure by default);
#    with a write and an admin key (random, as `docker run -e` passes them) they run until the
#    HEALTHCHECK command succeeds, /metrics answers, then get SIGTERM and must end within 40 s with
#    status 0 or 143 (coordinated shutdown run by the JVM's shutdown hook).
#    Skipped, with a SKIP line, when a port the CMD binds is taken on this machine.
# Prints a PASS/FAIL line per step and "dockerfile-build-check: N passed, M failed". Whatever
# happens, the EXIT trap stops the JVM this script started (by its PID) and removes the temp dir.
# Not checked here: the base images, apt-get in the runtime stage, USER, VOLUME (DeployManifestsTest
# reads those lines).
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dockerfile="$repo/deploy/Dockerfile"
. "$repo/bin/jdk25.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
work=$(mktemp -d "${TMPDIR:-/tmp}/leann-dockerfile-check.XXXXXX")
node_pid=""
passed=0
failed=0

cleanup() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -KILL "$node_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# The Dockerfile as one instruction per line (continuations joined), comments dropped, tagged by stage.
instructions() {
  "$PY" - "$dockerfile" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
lines, cur = [], ""
for raw in text.splitlines():
    if not cur and (not raw.strip() or raw.lstrip().startswith("#")):
        continue
    if raw.rstrip().endswith("\\"):
        cur += raw.rstrip()[:-1] + " "
        continue
    cur += raw
    lines.append(" ".join(cur.split()))
    cur = ""
stage = ""
for l in lines:
    if l.startswith("FROM "):
        m = re.search(r" AS (\S+)$", l, re.I)
        stage = m.group(1) if m else "runtime"
    print(stage + "\t" + l)
PYEOF
}

# --- 1. build stage ---------------------------------------------------------------------------
root="$work/root"
mkdir -p "$root"
cwd="$root"
build_ok=1
while IFS=$'\t' read -r stage line; do
  [ "$stage" = build ] || continue
  case "$line" in
    FROM*) ;;
    "WORKDIR "*)
      cwd="$root${line#WORKDIR }"
      mkdir -p "$cwd" ;;
    "COPY . .")
      # The build context (repository root) less Dockerfile.dockerignore, from git's view of the tree
      # (tracked and untracked-but-not-ignored files, as a fresh clone plus local edits would have).
      (cd "$repo" && git ls-files -co --exclude-standard -z) | "$PY" -c '
import fnmatch, os, shutil, sys
repo, dest, ignore = sys.argv[1], sys.argv[2], sys.argv[3]
pats = [p.strip() for p in open(ignore) if p.strip() and not p.startswith("#")]
def ignored(path):
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for p in pats:
        for pre in prefixes:
            if fnmatch.fnmatchcase(pre, p) or (p.startswith("**/") and fnmatch.fnmatchcase(pre.split("/")[-1], p[3:])):
                return True
    return False
for path in sys.stdin.read().split("\0"):
    if path and not ignored(path) and os.path.isfile(os.path.join(repo, path)):
        os.makedirs(os.path.join(dest, os.path.dirname(path)), exist_ok=True)
        shutil.copy2(os.path.join(repo, path), os.path.join(dest, path))
' "$repo" "$cwd" "$repo/deploy/Dockerfile.dockerignore" ;;
    "RUN "*)
      cmd="${line#RUN }"
      while [[ "$cmd" == --mount=* ]]; do cmd="${cmd#* }"; done
      echo "build stage: RUN $cmd"
      if ! (cd "$cwd" && bash -euo pipefail -c "$cmd"); then
        build_ok=0
        break
      fi ;;
    *)
      echo "dockerfile-build-check: the build stage has an instruction this script cannot replay: $line" >&2
      build_ok=0
      break ;;
  esac
done < <(instructions)
if [ "$build_ok" = 1 ]; then pass "build stage commands ran in $cwd"; else fail "build stage commands"; fi

# --- 2. what the runtime stage copies out of the build stage ---------------------------------
jar=""
while IFS=$'\t' read -r stage line; do
  [ "$stage" = runtime ] || continue
  if [[ "$line" == "COPY --from=build "* ]]; then
    read -r _ _ src dst <<<"$line"
    if [ -e "$root$src" ]; then pass "runtime stage finds $src"; else fail "runtime stage finds $src"; fi
    [ "$dst" = /opt/leann/leann.jar ] && jar="$root$src"
  fi
done < <(instructions)
# Listings are read whole before grep: under pipefail, `grep -q` quitting at its first match would
# fail the writer with SIGPIPE and so the check.
model=
if [ -n "$jar" ] && [ -f "$jar" ]; then
  model=$(grep -m 1 '\.onnx$' <<<"$("$JAVA_HOME/bin/jar" tf "$jar")" || true)
fi
if [ -n "$model" ]; then
  pass "the image's jar holds the ONNX model ($model)"
else
  fail "the image's jar holds the ONNX model"
fi

# --- 3. ENTRYPOINT + CMD with the image's ENV, until the HEALTHCHECK passes -------------------
runtime=$(instructions | awk -F'\t' '$1 == "runtime" { print $2 }')
json_array() { "$PY" -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "$1"; }
mapfile -t entrypoint < <(json_array "$(sed -n 's/^ENTRYPOINT //p' <<<"$runtime")")
mapfile -t cmd < <(json_array "$(sed -n 's/^CMD //p' <<<"$runtime")")
health=$(sed -n 's/^HEALTHCHECK .* CMD //p' <<<"$runtime")
envs=()
while read -r assignments; do
  for kv in $assignments; do envs+=("$(tr -d '"' <<<"$kv")"); done
done < <(sed -n 's/^ENV //p' <<<"$runtime")
ports=$(grep -o -- '--\(port\|http-port\) [0-9]*' <<<"${cmd[*]}" | awk '{print $2}'; \
  printf '%s\n' "${envs[@]}" | sed -n 's/^LEANN_MANAGEMENT_PORT=//p')
busy=""
for p in $ports; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy="$busy $p"; fi
done
if [ -z "$jar" ] || [ ! -f "$jar" ] || [ "${entrypoint[0]:-}" != java ] || [ -z "$health" ]; then
  fail "runtime stage: ENTRYPOINT java ... -jar, CMD and HEALTHCHECK are readable"
elif [ -n "$busy" ]; then
  echo "SKIP runtime smoke: port(s)$busy taken on this machine"
else
  args=("$JAVA_HOME/bin/java" "${entrypoint[@]:1}" "${cmd[@]}")
  args=("${args[@]/\/opt\/leann\/leann.jar/$jar}")
  mkdir -p "$work/indexes"
  # No keys: the node must exit 1 with the reason, before it serves anything.
  env -u LEANN_API_KEY -u LEANN_ADMIN_KEY -u LEANN_ADMIN_TOKEN -u LEANN_KEYS_FILE "${envs[@]}" \
    LEANN_INDEX_DIR="$work/indexes" JDK_JAVA_OPTIONS="-Xmx512m" \
    "${args[@]}" >"$work/open.out" 2>"$work/open.err" &
  node_pid=$!
  status=0
  for _ in $(seq 1 120); do kill -0 "$node_pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$node_pid" 2>/dev/null; then
    fail "CMD without API keys refuses to start (still running after 120 s)"
    kill -KILL "$node_pid" 2>/dev/null || true
  else
    wait "$node_pid" || status=$?
    if [ "$status" = 1 ] && grep -q -- "--insecure" "$work/open.err"; then
      pass "CMD without API keys refuses to serve 0.0.0.0 (exit 1)"
    else
      fail "CMD without API keys refuses to serve 0.0.0.0 (exit $status)"; tail -n 5 "$work/open.err" >&2
    fi
  fi
  node_pid=""
  write_key=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  admin_key=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  env "${envs[@]}" LEANN_INDEX_DIR="$work/indexes" JDK_JAVA_OPTIONS="-Xmx512m" \
    LEANN_API_KEY="$write_key" LEANN_ADMIN_KEY="$admin_key" \
    "${args[@]}" >"$work/node.out" 2>"$work/node.err" &
  node_pid=$!
  healthy=0
  for _ in $(seq 1 120); do
    if bash -c "$health" >/dev/null 2>&1; then healthy=1; break; fi
    kill -0 "$node_pid" 2>/dev/null || break
    sleep 1
  done
  if [ "$healthy" = 1 ]; then pass "CMD node answers its HEALTHCHECK ($health)"; else
    fail "CMD node answers its HEALTHCHECK ($health)"; tail -n 20 "$work/node.err" >&2; fi
  metrics=$(curl -fsS "http://127.0.0.1:7626/metrics" || true)
  if grep -q '^jvm_memory_used_bytes' <<<"$metrics"; then
    pass "GET /metrics on the management port"; else fail "GET /metrics on the management port"; fi
  http_port=$(grep -o -- '--http-port [0-9]*' <<<"${cmd[*]}" | awk '{print $2}')
  anonymous=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$http_port/indexes/probe" || true)
  keyed=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $write_key" \
    "http://127.0.0.1:$http_port/indexes/probe" || true)
  if [ "$anonymous" = 401 ] && [ "$keyed" = 201 ]; then pass "HTTP API: a write needs the write key (401, then 201)"
  else fail "HTTP API: a write needs the write key (got $anonymous without, $keyed with)"; fi
  kill -TERM "$node_pid" 2>/dev/null || true
  status=0
  for _ in $(seq 1 40); do kill -0 "$node_pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$node_pid" 2>/dev/null; then
    fail "SIGTERM stops the node within 40 s (the compose stop_grace_period)"
  else
    wait "$node_pid" || status=$?
    # 143 (128 + SIGTERM) is how a JVM ends when a signal started its shutdown hooks, which run
    # Pekko's coordinated shutdown; Docker and Kubernetes count it as a clean stop.
    if [ "$status" = 0 ] || [ "$status" = 143 ]; then pass "SIGTERM: coordinated shutdown, exit $status"
    else fail "SIGTERM: exit $status"; tail -n 20 "$work/node.err" >&2; fi
  fi
  node_pid=""
fi

echo "dockerfile-build-check: $passed passed, $failed failed"
[ "$failed" = 0 ]
