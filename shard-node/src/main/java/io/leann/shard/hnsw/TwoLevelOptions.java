package io.leann.shard.hnsw;

/**
 * Knobs of one two-level search (see {@link TwoLevelSearch}).
 *
 * @param recomputeBudget how many of the most promising candidates (by approximate distance) are ranked
 *     exactly, at least {@code k}; those with a hub embedding or a cached one cost no recompute, so this
 *     bounds the embeddings recomputed per query; 0 ranks every candidate
 * @param pruneRatio share of the walk's candidates, the farthest by approximate distance, never ranked
 *     exactly (LEANN's {@code prune_ratio}); 0 keeps all
 * @param batchSize nodes per recompute request; 0 sends all of a query's recomputes in one request
 *     (which a ZMQ recomputer still spreads evenly across its workers). For an index without PQ codes,
 *     searched by the plain recompute walk, the dynamic batch target (LEANN's {@code batch_size}): each
 *     request gathers the neighbours of several candidates until it holds this many; 0: one node's
 *     neighbours per request
 * @param approximateBeam least beam width of the PQ walk; the walk uses {@code max(approximateBeam, ef, k)}.
 *     PQ distances are local and cost well under a microsecond, so a wide beam is cheap and finds the
 *     true neighbours that the recompute budget then ranks
 * @param stopMargin 0 recomputes the whole budget; above 0 the budget is a cap and the rerank stops
 *     early, between requests, once the next candidate's PQ distance less {@code stopMargin} times
 *     the largest amount by which PQ overstated an exact distance so far exceeds the k-th exact
 *     distance: a precise PQ (a small corpus's) then costs a handful of recomputes
 */
public record TwoLevelOptions(int recomputeBudget, double pruneRatio, int batchSize, int approximateBeam,
    double stopMargin) {
  /** Recompute budget of {@link #defaults()}: recall@3 0.93 on 34k real passages (PERFORMANCE.md §9). */
  public static final int DEFAULT_BUDGET = 100;
  /** PQ walk beam of {@link #defaults()}. */
  public static final int DEFAULT_BEAM = 1024;
  /** Early-stop margin of {@link #defaults()} (PERFORMANCE.md §15). */
  public static final double DEFAULT_STOP_MARGIN = 1.5;

  public TwoLevelOptions {
    if (recomputeBudget < 0 || batchSize < 0 || approximateBeam < 0 || !(pruneRatio >= 0 && pruneRatio < 1)
        || !(stopMargin >= 0)) {
      throw new IllegalArgumentException("recompute budget, batch size, beam and stop margin must not be "
          + "negative, and the prune ratio must lie in [0, 1): " + recomputeBudget + ", " + batchSize + ", "
          + approximateBeam + ", " + stopMargin + ", " + pruneRatio);
    }
  }

  /** Options that recompute the whole budget (no early stop). */
  public TwoLevelOptions(int recomputeBudget, double pruneRatio, int batchSize, int approximateBeam) {
    this(recomputeBudget, pruneRatio, batchSize, approximateBeam, 0);
  }

  public static TwoLevelOptions defaults() {
    return new TwoLevelOptions(DEFAULT_BUDGET, 0, 0, DEFAULT_BEAM, DEFAULT_STOP_MARGIN);
  }

  /** The defaults with any of the given values that are not null. */
  public static TwoLevelOptions of(Integer recomputeBudget, Double pruneRatio, Integer batchSize) {
    return new TwoLevelOptions(recomputeBudget == null ? DEFAULT_BUDGET : recomputeBudget,
        pruneRatio == null ? 0 : pruneRatio, batchSize == null ? 0 : batchSize, DEFAULT_BEAM, DEFAULT_STOP_MARGIN);
  }
}
