#!/usr/bin/python3
"""One ANN peer (hnswlib or FAISS HNSW) on the vectors the LEANN-JVM harness wrote.

Run by io.leann.bench.AnnHarness with Debian's /usr/bin/python3 and its packages
(python3-numpy, python3-hnswlib, python3-faiss). Reads from --dir:
  train.f32  n x dims little-endian float32 (row-major)
  test.f32   nq x dims little-endian float32
  gt.i32     nq x k little-endian int32, exact neighbour ids, closest first
Builds with the given M, efConstruction and thread count (cosine: unit vectors compared by inner
product, as the harness's own build does), then for every ef warms up (whole passes over the
queries, at least one and for at least a second, as the harness does) and times one pass over all
queries, one query per call on one thread. It then times one more pass with all queries in a
single call (still one thread): "batch_qps", the peer's speed without Python's per-call overhead.
Prints one JSON object on stdout:
  {"system", "version", "compile_options", "build_seconds", "index_bytes",
   "sweep": [{"ef", "recall", "qps", "batch_qps"}]}
Recall is recall@k by id against gt.i32, as the harness computes its own. Progress goes to stderr.
"""
import argparse
import importlib
import importlib.metadata
import json
import os
import sys
import tempfile
import time

DEBIAN_PACKAGES = {"numpy": "python3-numpy", "hnswlib": "python3-hnswlib", "faiss": "python3-faiss"}


def require(module):
    try:
        return importlib.import_module(module)
    except ImportError as e:
        sys.exit(f"ann_peer: Python module '{module}' is missing ({e}); "
                 f"install it with: apt-get install {DEBIAN_PACKAGES[module]}")


def installed_version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def log(message):
    print(message, file=sys.stderr, flush=True)


def read_matrix(np, path, dtype, rows, cols):
    data = np.fromfile(path, dtype=dtype)
    if data.size != rows * cols:
        sys.exit(f"ann_peer: {path} holds {data.size} values, expected {rows} x {cols}")
    return np.ascontiguousarray(data.reshape(rows, cols))


class Hnswlib:
    """hnswlib's Index; search threads pinned to one."""

    def __init__(self, args, cosine):
        self.lib = require("hnswlib")
        self.args = args
        self.index = self.lib.Index(space="ip" if cosine else "l2", dim=args.dims)

    def build(self, train):
        self.index.init_index(max_elements=len(train), ef_construction=self.args.ef_construction,
                              M=self.args.m, random_seed=42)
        self.index.add_items(train, num_threads=self.args.threads)
        self.index.set_num_threads(1)

    def compile_options(self):
        return ""  # hnswlib does not say; Debian's build targets baseline x86-64 (SSE)

    def save(self, path):
        self.index.save_index(path)

    def set_ef(self, ef):
        self.index.set_ef(ef)

    def search(self, query, k):
        labels, _ = self.index.knn_query(query, k=k)
        return labels[0]

    def search_all(self, queries, k):
        labels, _ = self.index.knn_query(queries, k=k, num_threads=1)
        return labels


class Faiss:
    """faiss.IndexHNSWFlat; OpenMP threads for the build, one for the searches."""

    def __init__(self, args, cosine):
        self.lib = require("faiss")
        self.args = args
        metric = self.lib.METRIC_INNER_PRODUCT if cosine else self.lib.METRIC_L2
        self.index = self.lib.IndexHNSWFlat(args.dims, args.m, metric)
        self.index.hnsw.efConstruction = args.ef_construction

    def build(self, train):
        self.lib.omp_set_num_threads(self.args.threads)
        self.index.add(train)
        self.lib.omp_set_num_threads(1)

    def compile_options(self):
        return self.lib.get_compile_options()

    def save(self, path):
        self.lib.write_index(self.index, path)

    def set_ef(self, ef):
        self.index.hnsw.efSearch = ef

    def search(self, query, k):
        _, labels = self.index.search(query, k)
        return labels[0]

    def search_all(self, queries, k):
        _, labels = self.index.search(queries, k)
        return labels


SYSTEMS = {"hnswlib": Hnswlib, "faiss": Faiss}
WARMUP_SECONDS = 1.0  # warm-up: whole passes over the queries, at least one and at least this long


def recall(found, truth, k):
    hits = sum(len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth))
    return hits / (len(truth) * k)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--system", required=True, choices=sorted(SYSTEMS))
    p.add_argument("--dir", required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--nq", type=int, required=True)
    p.add_argument("--dims", type=int, required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--metric", choices=["l2", "cosine"], required=True)
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ef", default="10,20,40,80,120,200,400")
    args = p.parse_args()
    np = require("numpy")
    cosine = args.metric == "cosine"

    train = read_matrix(np, os.path.join(args.dir, "train.f32"), "<f4", args.n, args.dims)
    test = read_matrix(np, os.path.join(args.dir, "test.f32"), "<f4", args.nq, args.dims)
    truth = read_matrix(np, os.path.join(args.dir, "gt.i32"), "<i4", args.nq, args.k)
    if cosine:
        for m in (train, test):
            norms = np.linalg.norm(m, axis=1, keepdims=True)
            np.divide(m, norms, out=m, where=norms > 0)
    queries = [test[i:i + 1] for i in range(args.nq)]

    system = SYSTEMS[args.system](args, cosine)
    log(f"{args.system}: building over {args.n} x {args.dims} with {args.threads} threads ...")
    start = time.perf_counter()
    system.build(train)
    build_seconds = time.perf_counter() - start
    log(f"{args.system}: built in {build_seconds:.1f} s")
    with tempfile.TemporaryDirectory(prefix="ann-peer-") as tmp:
        path = os.path.join(tmp, "index.bin")
        system.save(path)
        index_bytes = os.path.getsize(path)

    sweep = []
    for ef in sorted({int(e) for e in args.ef.split(",")}):
        system.set_ef(ef)
        warm_until = time.perf_counter() + WARMUP_SECONDS
        while True:
            for q in queries:
                system.search(q, args.k)
            if time.perf_counter() >= warm_until:
                break
        start = time.perf_counter()
        found = [system.search(q, args.k) for q in queries]
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        system.search_all(test, args.k)
        batch_elapsed = time.perf_counter() - start
        point = {"ef": ef, "recall": recall(found, truth, args.k), "qps": args.nq / elapsed,
                 "batch_qps": args.nq / batch_elapsed}
        log(f"{args.system}: ef={ef} recall={point['recall']:.4f} qps={point['qps']:.0f} "
            f"(all queries in one call: {point['batch_qps']:.0f})")
        sweep.append(point)

    print(json.dumps({"system": args.system, "version": installed_version(args.system),
                      "compile_options": system.compile_options(),
                      "build_seconds": build_seconds, "index_bytes": index_bytes, "sweep": sweep}))


if __name__ == "__main__":
    main()
