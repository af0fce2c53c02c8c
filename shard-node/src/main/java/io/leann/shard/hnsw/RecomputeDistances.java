package io.leann.shard.hnsw;

import io.leann.protocol.Recomputer;

/**
 * Distances obtained from a {@link Recomputer}: the embeddings are not stored, so every batch the
 * searcher asks for becomes one recompute request. Counts the requests and the nodes recomputed,
 * which is the cost that matters in this mode. One query, one thread.
 */
public final class RecomputeDistances implements DistanceSource {
  private final Recomputer recomputer;
  private final float[] query;
  private final int[] one = new int[1];
  private final float[] oneOut = new float[1];
  private long recomputed;
  private long requests;

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
    recomputed += count;
    requests++;
  }

  /** Nodes whose embeddings were recomputed so far. */
  public long recomputed() {
    return recomputed;
  }

  /** Recompute requests sent so far (one per expansion step). */
  public long requests() {
    return requests;
  }
}
