package io.leann.shard.hnsw;

/**
 * Where a search gets the distance from its query to a node: stored vectors
 * ({@link StoredVectorDistances}) or recomputed embeddings ({@link RecomputeDistances}). The
 * searcher asks for one batch per expansion step (the unvisited neighbours of the node it pops), so
 * a remote source pays one round trip per step. Lower is closer. One instance serves one query on
 * one thread.
 */
public interface DistanceSource {

  /** Distance from the query to {@code node}. */
  float distance(int node);

  /** Writes into {@code out[i]} the distance from the query to {@code nodes[i]}, for {@code i < count}. */
  void distances(int[] nodes, int count, float[] out);
}
