"""Hostile-input check against a real LEANN node on 127.0.0.1 (run by deploy/hostile-check.sh).

Replays, as an unfriendly client would, what issue 13 found: every route tried with no key, a wrong
key, a key of too low a scope and the right key; cross-origin "simple" requests; a provider that
echoes the API key back; oversized and malformed ZeroMQ frames; an HTTP header that desynchronised
request framing; corrupted index files; wrong JSON types; protocol-level errors. Each case is one
line of the tally: handled (the answer is what a secure server owes) or bad (it is not, printed with
the reason). Ends with "hostile-check: tried N, handled H, bad B"; exit status 0 only when B == 0.

Everything it needs comes from the environment the shell script sets: HC_URL, HC_READ_KEY,
HC_WRITE_KEY, HC_ADMIN_KEY, HC_PROVIDER_KEY, HC_LOG (the node's log), HC_WORK (the work dir, whose
absolute path must never appear in an answer), HC_ZMQ (the embed server's endpoint), HC_ZMQ_PID,
HC_INTACT (an index name), HC_CORRUPT (a JSON list of [index, file, mutation] the script made),
HC_LEANN (the launcher), HC_STUB_URL (the key-echoing provider).
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import msgpack
import zmq

URL = os.environ["HC_URL"]
HOST, PORT = URL.split("//")[1].split(":")
PORT = int(PORT)
READ, WRITE, ADMIN = os.environ["HC_READ_KEY"], os.environ["HC_WRITE_KEY"], os.environ["HC_ADMIN_KEY"]
PROVIDER_KEY = os.environ["HC_PROVIDER_KEY"]
WORK = os.environ["HC_WORK"]
INTACT = os.environ["HC_INTACT"]

tried = 0
bad = 0


def record(case, ok, why=""):
    global tried, bad
    tried += 1
    if not ok:
        bad += 1
        print(f"BAD  {case}: {why}", flush=True)


def http(method, path, body=None, key=None, headers=None, raw=None, timeout=60):
    """One request; returns (status, headers dict lower-cased, body bytes)."""
    h = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    if key is not None:
        h["Authorization"] = "Bearer " + key
    req = urllib.request.Request(URL + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def leaks(text):
    """Why an answer shows what it must not (internals or a secret), or None."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for secret in (READ, WRITE, ADMIN, PROVIDER_KEY):
        for i in range(0, len(secret) - 8 + 1):
            if secret[i:i + 8] in text:
                return "shows part of a key"
    if WORK in text or "/root/" in text:
        return "shows an absolute server path"
    if re.search(r"\bio\.leann\.|java\.[a-z]+\.|Exception\b", text):
        return "shows a Java class name"
    return None


def json_error(body):
    try:
        e = json.loads(body)["error"]
        return e["code"], e["message"]
    except (ValueError, KeyError, TypeError):
        return None


# ------------------------------------------------------------------ access control, per route

SCRATCH = "hc-scratch"
ROUTES = [
    # method, path, body, scope
    ("GET", "/indexes", None, "read"),
    ("GET", f"/indexes/{INTACT}", None, "read"),
    ("POST", f"/indexes/{INTACT}/search", {"query": "licence", "top_k": 3}, "read"),
    ("POST", f"/indexes/{INTACT}/chat", {"question": "what is this?", "llm": "extractive"}, "read"),
    ("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, "read"),
    ("PUT", f"/indexes/{SCRATCH}", {}, "write"),
    ("POST", f"/indexes/{SCRATCH}/documents", [{"text": "scratch text", "metadata": {"k": "v"}}], "write"),
    ("POST", f"/indexes/{SCRATCH}/documents/delete", {"metadata_filters": {"k": {"==": "nothing"}}}, "write"),
    ("GET", "/jobs/no-such-job", None, "write"),
    ("DELETE", "/indexes/hc-never-made", None, "write"),
    ("GET", "/admin/nodes", None, "admin"),
    ("GET", "/admin/shards", None, "admin"),
    ("POST", f"/admin/indexes/{SCRATCH}/rebalance", None, "admin"),
    ("PUT", f"/admin/indexes/{SCRATCH}/shards/0", {"node": "pekko://leann@127.0.0.1:1"}, "admin"),
]
RANK = {"read": 0, "write": 1, "admin": 2}
KEYS = {"read": READ, "write": WRITE, "admin": ADMIN}


def check_access():
    for method, path, body, scope in ROUTES:
        case = f"{method} {path}"
        for label, key, expect in [("no key", None, {401}), ("wrong key", "not-" + WRITE, {401})] + [
                (f"{s} key", KEYS[s], {403}) for s in ("read", "write") if RANK[s] < RANK[scope]]:
            status, _, resp = http(method, path, body, key=key)
            record(f"{case} with {label}", status in expect and json_error(resp) is not None,
                   f"answered {status} {resp[:120]!r}, expected {sorted(expect)} JSON")
        status, _, resp = http(method, path, body, key=KEYS[scope])
        record(f"{case} with the {scope} key", status not in (401, 403) and status < 500,
               f"answered {status} {resp[:200]!r}")
    # the api-key header (Qdrant's) works as well as a bearer token
    status, _, _ = http("GET", "/indexes", headers={"api-key": READ})
    record("GET /indexes with api-key header", status == 200, f"answered {status}")


def check_cross_origin():
    evil = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    payload = json.dumps([{"text": "injected by another site"}]).encode()
    for key in (None, WRITE):
        status, headers, resp = http("POST", f"/indexes/{SCRATCH}/documents", raw=payload, key=key, headers=evil)
        record(f"text/plain cross-origin POST ({'with' if key else 'no'} key)",
               status in (401, 415) and "access-control-allow-origin" not in headers,
               f"answered {status} with headers {sorted(headers)}")
    status, headers, _ = http("OPTIONS", f"/indexes/{SCRATCH}/documents", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    record("CORS preflight from an unlisted origin", "access-control-allow-origin" not in headers,
           f"answered {status} with Access-Control-Allow-Origin")
    status, _, resp = http("POST", f"/indexes/{INTACT}/search", body={"query": "injected by another site",
                                                                      "top_k": 1}, key=READ)
    record("nothing injected cross-origin", status == 200 and b"injected by another site" not in resp,
           f"answered {status} {resp[:160]!r}")


# ------------------------------------------------------------------ a provider that echoes the key

def wait_job(job_id, key):
    for _ in range(240):
        status, _, resp = http("GET", f"/jobs/{job_id}", key=key)
        if status != 200:
            return status, resp
        job = json.loads(resp)
        if job.get("state") not in ("queued", "running", "pending"):
            return status, resp
        time.sleep(0.5)
    return 0, b"job did not end"


def check_key_echo():
    status, _, resp = http("PUT", "/indexes/hc-openai", {"embedding_mode": "openai",
                                                          "model": "text-embedding-3-small"}, key=WRITE)
    record("create an index on the key-echoing provider", status in (200, 201), f"answered {status} {resp[:200]!r}")
    status, _, resp = http("POST", "/indexes/hc-openai/documents", [{"text": "a passage to embed"}], key=WRITE)
    ok = status == 202
    record("ingest through the key-echoing provider is accepted", ok, f"answered {status} {resp[:200]!r}")
    if ok:
        job_status, job = wait_job(json.loads(resp)["id"], WRITE)
        why = leaks(job)
        record("GET /jobs/{id} after the provider echoed the key", job_status == 200 and why is None
               and b"failed" in job, f"{job_status} {why or ''} {job[:300]!r}")
    status, _, resp = http("POST", "/indexes/hc-openai/search", {"query": "a passage"}, key=READ)
    record("search on the key-echoing provider", leaks(resp) is None
           and (status >= 400 or json.loads(resp).get("results") == []), f"answered {status} {leaks(resp)} {resp[:200]!r}")
    for verbose in ([], ["-v"]):
        env = dict(os.environ, OPENAI_BASE_URL=os.environ["HC_STUB_URL"], OPENAI_API_KEY=PROVIDER_KEY,
                   LEANN_INDEX_DIR=os.path.join(WORK, "cli-indexes"))
        doc = os.path.join(WORK, "one.txt")
        with open(doc, "w") as f:
            f.write("one small document for the echoing provider\n")
        p = subprocess.run([os.environ["HC_LEANN"], "build", "hc-cli", "--docs", doc, "--embedding-mode", "openai",
                            *verbose], env=env, capture_output=True, text=True, timeout=300)
        out = p.stdout + p.stderr
        record(f"leann build {' '.join(verbose)} on the key-echoing provider",
               p.returncode == 1 and PROVIDER_KEY[:8] not in out and PROVIDER_KEY[-8:] not in out,
               f"exit {p.returncode}, key in output: {PROVIDER_KEY[-8:] in out}")
    with open(os.environ["HC_LOG"], encoding="utf-8", errors="replace") as f:
        log = f.read()
    record("the node's log holds no key", not any(k[-12:] in log for k in (PROVIDER_KEY, READ, WRITE, ADMIN)),
           "a key value is in the log")


# ------------------------------------------------------------------ ZeroMQ

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def zmq_ask(ctx, frame, timeout_ms=30000):
    s = ctx.socket(zmq.REQ)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, timeout_ms)
    s.connect(os.environ["HC_ZMQ"])
    try:
        s.send(frame)
        return s.recv()
    except zmq.Again:
        return None
    finally:
        s.close()


def check_zmq():
    ctx = zmq.Context()
    pid = os.environ["HC_ZMQ_PID"]
    good = msgpack.packb([[0, 1, 2]])

    def good_answer():
        reply = zmq_ask(ctx, good, timeout_ms=10000)
        if reply is None:
            return False
        decoded = msgpack.unpackb(reply)
        return isinstance(decoded, list) and len(decoded) == 2 and decoded[0][0] == 3

    record("a good embedding request", good_answer(), "no answer or the wrong shape")
    before = rss_kib(pid)
    hostile = [
        ("1M ids (1 MB request)", msgpack.packb([list(range(100)) * 10000])),
        ("1.5M ids", msgpack.packb([list(range(100)) * 15000])),
        ("negative ids", msgpack.packb([[-1, -5]])),
        ("unknown ids", msgpack.packb([[10 ** 9]])),
        ("distance request, wrong dims", msgpack.packb([[0, 1], [0.5] * 7])),
        ("truncated msgpack", msgpack.packb([[0, 1, 2]])[:-1]),
        ("random bytes", bytes(range(256)) * 4),
        ("empty frame", b""),
        ("100k texts", msgpack.packb(["text"] * 100000)),
        ("one 5 MB text", msgpack.packb(["x" * (5 << 20)])),
        ("nested arrays", msgpack.packb([[[[[[0]]]]]])),
    ]
    for name, frame in hostile:
        for _ in range(3):
            reply = zmq_ask(ctx, frame, timeout_ms=20000)
            small = reply is None or len(reply) < (1 << 20)
            record(f"ZMQ {name}", small, f"a reply of {len(reply or b'')} bytes")
            record(f"ZMQ good request after {name}", good_answer(), "no longer answered")
    after = rss_kib(pid)
    record("ZMQ embed server RSS stays bounded", after - before < 512 * 1024,
           f"RSS grew from {before // 1024} MiB to {after // 1024} MiB")
    print(f"hostile-check: embed server RSS {before // 1024} MiB before the hostile frames, {after // 1024} MiB after")
    ctx.term()


# ------------------------------------------------------------------ HTTP framing and protocol errors

def raw_exchange(payload, wait=3.0):
    s = socket.create_connection((HOST, PORT), timeout=wait)
    s.sendall(payload)
    data = b""
    deadline = time.time() + wait
    try:
        while time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    finally:
        s.close()
    return data


def responses(data):
    return re.findall(rb"HTTP/1\.[01] (\d{3})", data)


def check_framing():
    smuggled = b"GET /admin/nodes HTTP/1.1\r\nHost: x\r\n\r\n"
    for lead in (b"\xe9", b"\xf0", b"\xc3", b"\xe9\x80"):
        payload = (b"POST /health HTTP/1.1\r\nHost: x\r\nX-Foo: x" + lead + b"\r\nContent-Length: "
                   + str(len(smuggled)).encode() + b"\r\n\r\n" + smuggled)
        data = raw_exchange(payload)
        codes = responses(data)
        record(f"header value ending in {lead!r}: one answer, nothing smuggled",
               len(codes) == 1 and b'"nodes"' not in data, f"{len(codes)} responses {codes}")
    data = raw_exchange(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    record("two pipelined good requests: two answers", len(responses(data)) == 2, f"{responses(data)}")
    cases = [
        ("garbage line", b"GARBAGE\r\n\r\n", 400),
        ("TLS hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64, 400),
        ("URI of 10 kB", b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        # Pekko HTTP answers these two with 400 (and says why), not 431 / 501.
        ("100 headers", b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(
            b"X-H%d: v\r\n" % i for i in range(100)) + b"\r\n", 400),
        ("a header of 9 kB", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + b"v" * 9000 + b"\r\n\r\n", 431),
        ("unknown transfer encoding", b"POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        ("unknown method", b"BREW /health HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ("HTTP/3.0", b"GET /health HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ("wrong method", b"DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        ("unknown path", b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    ]
    for name, payload, expect in cases:
        data = raw_exchange(payload)
        codes = responses(data)
        body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
        record(f"{name}: {expect} with a JSON error", codes[:1] == [str(expect).encode()]
               and json_error(body) is not None, f"{codes} {data[:200]!r}")


# ------------------------------------------------------------------ strict types

WRONG_TYPES = [
    ({"query": True}, "query"),
    ({"query": 5}, "query"),
    ({"query": "x", "top_k": "5"}, "top_k"),
    ({"query": "x", "top_k": ""}, "top_k"),
    ({"query": "x", "top_k": 2.5}, "top_k"),
    ({"query": "x", "recompute": -1}, "recompute"),
    ({"query": "x", "recompute": "yes"}, "recompute"),
    ({"query": "x", "complexity": [1]}, "complexity"),
    ({"query": "x", "vector_weight": "half"}, "vector_weight"),
    ({"query": "x", "metadata_filters": {"language": {}}}, "language"),
    ({"query": "x", "metadata_filters": {"language": {"is_true": "maybe"}}}, "language"),
    ({"query": "x", "metadata_filters": {"language": {"in": "java"}}}, "language"),
    ({"query": "x", "metadata_filters": {"language": {"==": {}}}}, "language"),
    ({"query": "x", "metadata_filters": {"language": {"~~": 1}}}, "language"),
    ({"query": "x", "metadata_filters": []}, "metadata_filters"),
    ([], None),
    ("a string", None),
]


def check_types():
    for body, field in WRONG_TYPES:
        status, _, resp = http("POST", f"/indexes/{INTACT}/search", body, key=READ)
        err = json_error(resp)
        record(f"search body {json.dumps(body)[:60]}: 400 naming {field}",
               status == 400 and err is not None and (field is None or field in err[1]),
               f"answered {status} {resp[:160]!r}")
    for path, body in [(f"/indexes/{SCRATCH}/documents", [{"text": 5}]),
                       (f"/indexes/{SCRATCH}/documents", [{"text": "x", "metadata": "flat"}]),
                       (f"/indexes/{SCRATCH}/documents", {"text": "not a list"}),
                       ("/indexes/hc-typed", {"shards": "2"}),
                       ("/indexes/hc-typed", {"compact": "true"})]:
        method = "PUT" if path.startswith("/indexes/hc-typed") else "POST"
        status, _, resp = http(method, path, body, key=WRITE)
        record(f"{method} {path} {json.dumps(body)[:50]}: 400", status == 400 and json_error(resp) is not None,
               f"answered {status} {resp[:160]!r}")
    status, _, resp = http("POST", f"/indexes/{INTACT}/search", raw=b'{"query": "x",', key=READ,
                           headers={"Content-Type": "application/json"})
    record("malformed JSON: 400", status == 400 and json_error(resp) is not None, f"answered {status}")


# ------------------------------------------------------------------ corrupted index files

def hits(resp):
    return [(r["id"], r["text"], round(r["score"], 5)) for r in json.loads(resp)["results"]]


def search(index, body):
    """A search that honours Retry-After: a 503 'unavailable' (a worker busy on a loaded machine) is
    retried twice; corruption must never answer that way, so a lasting 503 still counts as bad."""
    for attempt in range(3):
        status, headers, resp = http("POST", f"/indexes/{index}/search", body, key=READ)
        if status != 503 or attempt == 2:
            return status, headers, resp
        time.sleep(float(headers.get("retry-after", "1")))


def check_corruption():
    queries = ["permission to copy and distribute", "warranty", "patent licence"]
    intact = {}
    for q in queries:
        status, _, resp = search(INTACT, {"query": q, "top_k": 5})
        if status != 200:
            record("search of the intact index", False, f"answered {status} {resp[:200]!r}")
            return
        intact[q] = hits(resp)
    counts = {"error": 0, "identical": 0}
    for name, file, mutation in json.loads(os.environ["HC_CORRUPT"]):
        for q in queries:
            status, _, resp = search(name, {"query": q, "top_k": 5})
            err = json_error(resp)
            base = os.path.basename(file)
            if status == 200 and hits(resp) == intact[q]:
                counts["identical"] += 1
                record(f"{file} {mutation}", True)
            elif status == 500 and err and err[0] == "index_corrupt" and base in err[1] and leaks(resp) is None:
                counts["error"] += 1
                record(f"{file} {mutation}", True)
                break
            else:
                record(f"{file} {mutation} ({name})", False, f"answered {status} {resp[:240]!r}")
                break
    print(f"hostile-check: corruptions: {counts['error']} clear errors, {counts['identical']} identical answers")


def main():
    sections = [("access", check_access), ("cross-origin", check_cross_origin), ("key echo", check_key_echo),
                ("zmq", check_zmq), ("framing", check_framing), ("types", check_types),
                ("corruption", check_corruption)]
    only = set(sys.argv[1:])
    for name, check in sections:
        if only and name not in only:
            continue
        before_tried, before_bad = tried, bad
        try:
            check()
        except Exception as e:  # a crash of the check itself is a bad case, not an abort
            record(f"{name} section", False, f"the check stopped: {type(e).__name__}: {e}")
        print(f"hostile-check: {name}: {tried - before_tried} tried, {bad - before_bad} bad", flush=True)
    print(f"hostile-check: tried {tried}, handled {tried - bad}, bad {bad}")
    sys.exit(0 if bad == 0 else 1)


if __name__ == "__main__":
    main()
