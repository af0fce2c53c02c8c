#!/usr/bin/env python3
"""Search load over the HTTP API, for deploy/cluster-it.sh and deploy/cluster-bench.sh.

    search_load.py URL BODY N CONCURRENCY OUT

Sends N POSTs of BODY (JSON) to URL (.../indexes/{name}/search) from CONCURRENCY threads, each on
its own keep-alive connection, every request with its own X-Request-Id (it-load-<thread>-<seq>).
Writes one JSON line per search to OUT, in sequence order: seq, start and end (s since the load
began), HTTP status (0: no answer), partial, the result ids, the request id. While running, OUT.count
holds the answers so far (every 10) and OUT.t0 the start (epoch s), so a caller can act mid-load.
Prints a JSON summary: searches, seconds, searches_per_s, p50_ms, p99_ms, failed (not 200), partial.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main():
    url, body, total, concurrency, out = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    target = urllib.parse.urlsplit(url)
    lock = threading.Lock()
    state = {"next": 0, "done": 0}
    rows = []
    t0 = time.time()
    with open(out + ".t0", "w") as f:
        f.write(repr(t0))

    def worker(w):
        conn = None
        while True:
            with lock:
                seq = state["next"]
                if seq >= total:
                    return
                state["next"] += 1
            rid = f"it-load-{w}-{seq}"
            start = time.time() - t0
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                conn.request("POST", target.path, body, {"Content-Type": "application/json", "X-Request-Id": rid})
                reply = conn.getresponse()
                data = reply.read()
                status = reply.status
                try:
                    d = json.loads(data)
                    partial, ids = d.get("partial"), [h["id"] for h in d.get("results", [])]
                except ValueError:
                    partial, ids = None, []
            except Exception as e:  # the row records it: status 0 and the error
                conn = None
                status, partial, ids = 0, None, [repr(e)[:120]]
            end = time.time() - t0
            with lock:
                rows.append({"seq": seq, "start": start, "end": end, "status": status, "partial": partial,
                             "ids": ids, "id": rid})
                state["done"] += 1
                if state["done"] % 10 == 0:
                    with open(out + ".count", "w") as f:
                        f.write(str(state["done"]))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.time() - t0
    with open(out, "w") as f:
        for row in sorted(rows, key=lambda r: r["seq"]):
            f.write(json.dumps(row) + "\n")
    with open(out + ".count", "w") as f:
        f.write(str(total))
    ms = [1000 * (r["end"] - r["start"]) for r in rows]
    print(json.dumps({"searches": total, "seconds": round(seconds, 2), "searches_per_s": round(total / seconds, 1),
                      "p50_ms": round(percentile(ms, 50), 1), "p99_ms": round(percentile(ms, 99), 1),
                      "failed": sum(r["status"] != 200 for r in rows),
                      "partial": sum(r["partial"] is True for r in rows)}))


if __name__ == "__main__":
    main()
