#!/usr/bin/env python3
"""Would an adaptive recompute budget beat the fixed one? A numpy check, not product code.

The two-level search reranks a fixed number of PQ-ranked candidates by exact distance. The
alternative checked here reranks them in batches, in PQ order, and stops early. It stops when
the next candidate's PQ similarity, plus a margin, cannot beat the current k-th exact one. The
margin is a factor times the largest (exact - PQ) gap seen so far in this query. The PQ ranking is
exhaustive ADC, with the same PQ as opq_check.py (32 x 256) and the same 200 held-out corpus
vectors as queries. A hit is a result whose exact similarity is within 1e-4 of the true k-th one,
as PERFORMANCE.md section 9 counts it.

usage: adaptive_budget_check.py <embeddings.f32: n x 384 float32> [k]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opq_check as pq  # noqa: E402


def main():
    vectors = np.fromfile(sys.argv[1], dtype="<f4").reshape(-1, pq.DIMS)
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    held_out = pq.rng.choice(len(vectors), 200, replace=False)
    queries = vectors[held_out].copy()
    keep = np.ones(len(vectors), bool)
    keep[held_out] = False
    base = vectors[keep]
    codebooks = pq.train(base[pq.rng.choice(len(base), 20000, replace=False)])
    exact = queries @ base.T
    approx = queries @ pq.decode(pq.encode(base, codebooks), codebooks).T
    kth_true = np.sort(exact, 1)[:, -k]

    def recall(i, candidates):
        top = candidates[np.argsort(-exact[i, candidates])[:k]]
        return np.sum(exact[i, top] >= kth_true[i] - 1e-4) / k

    orders = np.argsort(-approx, 1)[:, :100]
    for budget in (25, 50, 75, 100):
        r = np.mean([recall(i, orders[i, :budget]) for i in range(len(queries))])
        print(f"fixed budget {budget:3d}: recall@{k} {r:.3f}, recomputes {budget}")
    for batch in (10, 20):
        for factor in (0.5, 0.75, 1.0):
            recalls, costs = [], []
            for i in range(len(queries)):
                order, n = orders[i], 0
                while n < len(order):
                    n = min(n + batch, len(order))
                    seen = order[:n]
                    margin = factor * np.max(exact[i, seen] - approx[i, seen])
                    kth = np.sort(exact[i, seen])[-k]
                    if n < len(order) and approx[i, order[n]] + margin < kth:
                        break
                recalls.append(recall(i, order[:n]))
                costs.append(n)
            print(f"adaptive, batch {batch}, margin x{factor}: recall@{k} {np.mean(recalls):.3f}, recomputes "
                  f"mean {np.mean(costs):.1f} p50 {np.median(costs):.0f} p95 {np.percentile(costs, 95):.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
