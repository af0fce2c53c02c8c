package io.leann.shard.hnsw;

/**
 * Knobs of one two-level search (see {@link HnswIndex#searchTwoLevel}).
 *
 * @param recomputeBudget most embeddings recomputed per query (hub and cache hits are free); 0 for no limit
 * @param pruneRatio share of the walk's candidates, the farthest by approximate distance, never ranked
 *     exactly (LEANN's {@code prune_ratio}); 0 keeps all
 * @param batchSize nodes per recompute request; 0 sends all of a query's recomputes in one request
 *     (which a ZMQ recomputer still spreads across its workers)
 */
public record TwoLevelOptions(int recomputeBudget, double pruneRatio, int batchSize) {
  public TwoLevelOptions {
    if (recomputeBudget < 0 || batchSize < 0 || !(pruneRatio >= 0 && pruneRatio < 1)) {
      throw new IllegalArgumentException("recompute budget and batch size must not be negative, and "
          + "the prune ratio must lie in [0, 1): " + recomputeBudget + ", " + batchSize + ", " + pruneRatio);
    }
  }
}
