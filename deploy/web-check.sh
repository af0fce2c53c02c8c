#!/usr/bin/env bash
# Browser test of the web page of `leann serve`, in Debian's headless Chromium (playwright-core).
#
#   bash deploy/web-check.sh            (from anywhere; builds the jar through bin/leann if stale)
#
# Installs Chromium with apt when run as root and it is missing (otherwise names the package and
# stops), `npm ci` in deploy/web-check (playwright-core pinned; it never downloads a browser), builds
# an index of five /usr/share/common-licenses files into a temp LEANN_INDEX_DIR, starts a loopback
# stand-in for Ollama (deploy/web-check/ollama_stub.py: /api/tags and the NDJSON stream of
# /api/chat) and `leann serve` on 127.0.0.1 with OLLAMA_HOST pointing at it and an admin token,
# then runs deploy/web-check/web.test.mjs: the page's index, cluster status with and without the
# admin key, a search and its results, filters (invalid ones refused in the page), the hybrid
# weight, a chat whose answer streams in with its sources, the page at 375 px. Screenshots go to a
# folder printed at the end (kept), and search.png is copied to docs/screenshot-search.png when
# WEB_CHECK_UPDATE_SCREENSHOT=1. The EXIT trap stops exactly the processes this run started, by PID.
# Takes about a minute on 2 cores once the jar is built.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here="$repo/deploy/web-check"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
index=web-licenses
log() { echo "web-check: $*"; }

# ---------------------------------------------------------------- what the check needs
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    log "needs the Debian packages: ${need[*]} (sudo apt-get install ${need[*]})"
    exit 2
  fi
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# ---------------------------------------------------------------- processes, stopped whatever happens
work=$(mktemp -d "${TMPDIR:-/tmp}/leann-web-check.XXXXXX")
shots="$work/screenshots"
mkdir -p "$shots"
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    echo "----- last lines of the server log ($work/serve.log)" >&2
    tail -n 30 "$work/serve.log" >&2 2>/dev/null || true
  fi
  rm -rf "$work/indexes" "$work/profile"
  log "screenshots in $shots"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---------------------------------------------------------------- index, model stub, server
export LEANN_INDEX_DIR="$work/indexes"
licenses=(/usr/share/common-licenses/{Apache-2.0,BSD,CC0-1.0,MPL-2.0,Artistic})
"$repo/bin/leann" build "$index" --docs "${licenses[@]}" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; log "leann build failed"; exit 1; }
log "built $index from ${#licenses[@]} files: $(tail -n 1 "$work/build.log")"

"$PY" "$here/ollama_stub.py" "$work/stub.port" "$work/stub.log" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/stub.port" ] && break; sleep 0.1; done
[ -s "$work/stub.port" ] || { log "the Ollama stub did not start"; exit 1; }

http_port=$(free_port)
admin_token=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
# Only this JVM learns the stub's address and the token; the browser test gets the token alone.
OLLAMA_HOST="http://127.0.0.1:$(cat "$work/stub.port")" LEANN_ADMIN_TOKEN="$admin_token" \
  LEANN_JAVA_OPTS="${LEANN_JAVA_OPTS:--Xmx512m}" \
  "$repo/bin/leann" serve --hostname 127.0.0.1 --port "$(free_port)" --http-port "$http_port" \
  >"$work/serve.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$http_port"
deadline=$((SECONDS + 180))
until curl -fsS -o /dev/null --max-time 2 "$base/health" 2>/dev/null; do
  kill -0 "${pids[-1]}" 2>/dev/null || { log "leann serve exited"; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { log "leann serve not ready within 180 s"; exit 1; }
  sleep 1
done
log "leann serve on $base (pid ${pids[-1]}), Ollama stub on 127.0.0.1:$(cat "$work/stub.port")"

# ---------------------------------------------------------------- the browser test
WEB_CHECK_URL="$base" WEB_CHECK_INDEX="$index" WEB_CHECK_ADMIN="$admin_token" WEB_CHECK_SHOTS="$shots" \
  WEB_CHECK_PROFILE="$work/profile" WEB_CHECK_STUB_LOG="$work/stub.log" node "$here/web.test.mjs"
if [ "${WEB_CHECK_UPDATE_SCREENSHOT:-0}" = 1 ]; then
  cp "$shots/search.png" "$repo/docs/screenshot-search.png"
  log "updated docs/screenshot-search.png"
fi
log "passed"
