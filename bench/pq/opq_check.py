#!/usr/bin/env python3
"""Would an OPQ rotation help our PQ on real sentence embeddings? A numpy check, not product code.

Trains plain PQ (32 sub-spaces x 256 centroids, 12 k-means rounds on a 20,000-vector sample,
as ProductQuantizer does), then OPQ: eigenvalue allocation (PCA directions dealt to sub-spaces so
that their variance products balance), then Procrustes rounds (rotation = U V^T of the SVD of
X^T Y, Y the PQ reconstruction). For each it reports, over 200 held-out vectors of the corpus used
as queries (cosine): how many of the exact top-3 are among the 50 and 100 best by PQ distance
(what the two-level search's recompute budget reranks), ADC-only recall@3/@10 (compressed mode),
and the mean squared reconstruction error.

usage: opq_check.py <embeddings.f32: n x 384 little-endian float32, no header> [procrustes rounds]
(an index built with --no-recompute keeps them as gen-N/embeddings.f32)
"""
import sys
import time

import numpy as np

M, K, DIMS = 32, 256, 384
D = DIMS // M
rng = np.random.default_rng(7)


def kmeans(points, k, rounds=12):
    centroids = points[rng.choice(len(points), k, replace=False)].copy()
    for _ in range(rounds):
        assign = nearest(points, centroids)
        for j in range(k):
            members = points[assign == j]
            if len(members):
                centroids[j] = members.mean(0)
    return centroids


def nearest(points, centroids):
    return ((points ** 2).sum(1)[:, None] - 2 * points @ centroids.T + (centroids ** 2).sum(1)[None]).argmin(1)


def train(sample):
    return [kmeans(sample[:, m * D:(m + 1) * D], K) for m in range(M)]


def encode(points, codebooks):
    return np.stack([nearest(points[:, m * D:(m + 1) * D], codebooks[m]) for m in range(M)], 1)


def decode(codes, codebooks):
    return np.concatenate([codebooks[m][codes[:, m]] for m in range(M)], 1)


def evaluate(name, rotation, codebooks, base, queries, truth):
    rotated = base @ rotation
    codes = encode(rotated, codebooks)
    reconstructed = decode(codes, codebooks)
    order = np.argsort(-((queries @ rotation) @ reconstructed.T), 1)

    def share(true_k, got_k):
        return np.mean([len(set(truth[i, :true_k]) & set(order[i, :got_k])) / true_k for i in range(len(queries))])

    mse = ((rotated - reconstructed) ** 2).sum(1).mean()
    print(f"{name:14s} top-3 in PQ top-50 {share(3, 50):.3f}  in top-100 {share(3, 100):.3f}  "
          f"ADC recall@3 {share(3, 3):.3f} @10 {share(10, 10):.3f}  mse {mse:.4f}", flush=True)


def main():
    vectors = np.fromfile(sys.argv[1], dtype="<f4").reshape(-1, DIMS)
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    held_out = rng.choice(len(vectors), 200, replace=False)
    queries = vectors[held_out].copy()
    keep = np.ones(len(vectors), bool)
    keep[held_out] = False
    base = vectors[keep]
    truth = np.argsort(-(queries @ base.T), 1)
    sample = base[rng.choice(len(base), 20000, replace=False)]
    print(f"{len(base)} vectors, {len(queries)} queries, PQ {M} x {K}")

    start = time.time()
    codebooks = train(sample)
    print(f"PQ trained in {time.time() - start:.1f} s")
    evaluate("PQ", np.eye(DIMS, dtype=np.float32), codebooks, base, queries, truth)

    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(sample.T))
    by_variance = np.argsort(-eigenvalues)
    buckets, log_products = [[] for _ in range(M)], np.zeros(M)
    for j in by_variance:
        open_buckets = [m for m in range(M) if len(buckets[m]) < D]
        m = min(open_buckets, key=lambda b: log_products[b])
        buckets[m].append(j)
        log_products[m] += np.log(max(eigenvalues[j], 1e-12))
    rotation = eigenvectors[:, [j for b in buckets for j in b]].astype(np.float32)
    codebooks = train(sample @ rotation)
    evaluate("OPQ (EA)", rotation, codebooks, base, queries, truth)
    for r in range(rounds):
        target = decode(encode(sample @ rotation, codebooks), codebooks)
        u, _, vt = np.linalg.svd(sample.T @ target)
        rotation = (u @ vt).astype(np.float32)
        codebooks = train(sample @ rotation)
        evaluate(f"OPQ round {r + 1}", rotation, codebooks, base, queries, truth)


if __name__ == "__main__":
    main()
