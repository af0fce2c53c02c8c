package io.leann.bench;

/**
 * One setting of a search sweep.
 *
 * @param ef search beam width
 * @param recall recall@k
 * @param qps single-thread queries per second, one query per call
 * @param batchQps single-thread queries per second with all queries in one call: reported by the
 *     Python peers, to show their speed without the interpreter's per-call overhead; NaN for ours,
 *     whose Java loop has no such overhead
 */
record SweepPoint(int ef, double recall, double qps, double batchQps) {}
