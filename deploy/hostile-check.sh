#!/usr/bin/env bash
# Hostile-input check of one real LEANN node on 127.0.0.1 (issue 13's findings, replayed).
#
#   bash deploy/hostile-check.sh [section...]   (from the repository root; sections: access,
#                                                cross-origin, key echo, zmq, framing, types, corruption)
#
# Builds a small index of three licence texts with the default (local ONNX) model, makes corrupted
# copies of it (truncations and bit flips in every file of its generation and in its meta, plus
# targeted edits), then starts on 127.0.0.1 with free ports: a stub OpenAI-compatible provider that
# echoes the API key in its 401 body, `leann embed-server` on the intact index (ZeroMQ), and
# `leann serve` with read, write and admin keys. deploy/hostile_check.py then tries every case and
# ends with "hostile-check: tried N, handled H, bad B"; the exit status is 0 only when B is 0.
# Whatever happens, the EXIT trap stops exactly the processes this run started, by PID. The temp dir
# is removed after a clean run and kept (with logs) after a failure. Takes about 3 minutes on 2 cores.
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
leann=${LEANN_BIN:-$repo/bin/leann}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
work=$(mktemp -d "${TMPDIR:-/tmp}/leann-hostile.XXXXXX")
pids=()
status_ok=0

cleanup() {
  local status=$?
  trap - EXIT INT TERM ERR
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$status" -eq 0 ] && [ "$status_ok" = 1 ] && [ "${HOSTILE_KEEP:-0}" != 1 ]; then
    rm -rf "$work"
  else
    for f in "$work"/*.log; do
      [ -f "$f" ] && { echo "----- last lines of $f" >&2; tail -n 20 "$f" >&2; }
    done
    echo "hostile-check: logs and indexes kept in $work" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for() {  # file, pattern, pid, seconds
  local deadline=$((SECONDS + $4))
  until grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { echo "hostile-check: process $3 exited; see $1" >&2; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "hostile-check: no '$2' in $1 after $4 s" >&2; return 1; }
    sleep 0.5
  done
}

export LEANN_INDEX_DIR="$work/indexes"
export LEANN_JAVA_OPTS=${LEANN_JAVA_OPTS:--Xmx1g}
intact=hc-intact
docs=(/usr/share/common-licenses/Apache-2.0 /usr/share/common-licenses/MPL-2.0 /usr/share/common-licenses/BSD)
echo "hostile-check: building $intact from ${#docs[@]} licence texts ..."
"$leann" build "$intact" --docs "${docs[@]}" >"$work/build.log" 2>&1

# Corrupted copies: every file of the generation and the meta, truncated and bit-flipped at offsets
# chosen by a fixed seed, plus edits of the meta's fields that change meaning without breaking JSON.
corrupt=$("$PY" - "$LEANN_INDEX_DIR" "$intact" <<'EOF'
import json, os, random, shutil, sys
root, intact = sys.argv[1], sys.argv[2]
src = os.path.join(root, intact)
files = sorted(os.path.relpath(os.path.join(d, f), src) for d, _, fs in os.walk(src) for f in fs
               if not f.startswith(".") and not f.endswith(".lock"))
rng = random.Random(13)
cases = []
def copy(n):
    name = f"hc-corrupt-{n:03d}"
    shutil.copytree(src, os.path.join(root, name))
    return name
for rel in files:
    size = os.path.getsize(os.path.join(src, rel))
    if size == 0:
        continue
    for kind in ["flip", "flip", "flip", "truncate", "truncate"]:
        name = copy(len(cases))
        path = os.path.join(root, name, rel)
        with open(path, "r+b") as f:
            offset = rng.randrange(size)
            if kind == "flip":
                f.seek(offset); b = f.read(1); f.seek(offset)
                f.write(bytes([b[0] ^ (1 << rng.randrange(8))]))
            else:
                f.truncate(offset)
        cases.append([name, rel, f"{kind} at {offset} of {size}"])
meta_name = "documents.leann.meta.json"
def edit(label, fn):
    name = copy(len(cases))
    path = os.path.join(root, name, meta_name)
    meta = json.load(open(path))
    fn(meta)
    json.dump(meta, open(path, "w"))
    cases.append([name, meta_name, label])
edit("format_version 99", lambda m: m.__setitem__("format_version", 99))
edit("distance_metric changed", lambda m: m.__setitem__("distance_metric", "l2" if m.get("distance_metric") != "l2" else "cosine"))
edit("dimensions 768", lambda m: m.__setitem__("dimensions", 768))
if m0 := json.load(open(os.path.join(src, meta_name))).get("shards"):
    edit("shards[0].first_row 10", lambda m: m["shards"][0].__setitem__("first_row", 10))
print(json.dumps(cases))
EOF
)

stub_port=$(free_port)
export HC_PROVIDER_KEY="sk-hostile-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$PY" - "$stub_port" >"$work/stub.log" 2>&1 <<'EOF' &
import http.server, json, sys
class Echo(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}. Header was "
                                     f"'Authorization: Bearer {key}'", "type": "invalid_request_error",
                                     "code": "invalid_api_key"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("WWW-Authenticate", f"Bearer error={key}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
EOF
pids+=($!)

zmq_port=$(free_port)
"$leann" embed-server "$intact" --endpoint "tcp://127.0.0.1:$zmq_port" >"$work/embed-server.log" 2>&1 &
zmq_pid=$!
pids+=("$zmq_pid")

http_port=$(free_port)
rem_port=$(free_port)
export LEANN_READ_API_KEY="read-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export LEANN_API_KEY="write-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export LEANN_ADMIN_KEY="admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
OPENAI_BASE_URL="http://127.0.0.1:$stub_port/v1" OPENAI_API_KEY="$HC_PROVIDER_KEY" \
  "$leann" serve --hostname 127.0.0.1 --port "$rem_port" --http-port "$http_port" >"$work/node.log" 2>&1 &
node_pid=$!
pids+=("$node_pid")
wait_for "$work/node.log" "leann node up" "$node_pid" 180
wait_for "$work/embed-server.log" "Serving" "$zmq_pid" 120

HC_URL="http://127.0.0.1:$http_port" HC_READ_KEY="$LEANN_READ_API_KEY" HC_WRITE_KEY="$LEANN_API_KEY" \
  HC_ADMIN_KEY="$LEANN_ADMIN_KEY" HC_LOG="$work/node.log" HC_WORK="$work" HC_ZMQ="tcp://127.0.0.1:$zmq_port" \
  HC_ZMQ_PID="$zmq_pid" HC_INTACT="$intact" HC_CORRUPT="$corrupt" HC_LEANN="$leann" \
  HC_STUB_URL="http://127.0.0.1:$stub_port/v1" "$PY" "$repo/deploy/hostile_check.py" "$@"
status_ok=1
