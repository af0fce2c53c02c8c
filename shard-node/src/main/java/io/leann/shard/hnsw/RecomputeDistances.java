package io.leann.shard.hnsw;

import io.leann.protocol.Recomputer;

/**
 * Distances obtained from a {@link Recomputer}: the embeddings are not stored, so every batch the
 * searcher asks for becomes one recompute request. The cost is counted by whoever wraps the
 * recomputer (the search engine's stats). One query, one thread.
 */
public final class RecomputeDistances implements DistanceSource {
  private final Recomputer recomputer;
  private final float[] query;
  private final int[] one = new int[1];
  private final float[] oneOut = new float[1];

  public RecomputeDistances(Recomputer recomputer, float[] query) {
    this.recomputer = recomputer;
    this.query = query;
  }

  @Override
  public float distance(int node) {
    one[0] = node;
    distances(one, 1, oneOut);
    return oneOut[0];
  }

  @Override
  public void distances(int[] nodes, int count, float[] out) {
    if (count == 0) {
      return;
    }
    recomputer.distances(query, nodes, count, out);
  }
}
