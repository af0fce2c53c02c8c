package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.vector.VectorValues;

/**
 * Distances from a query to stored vectors. Batches go through the one-query-four-candidates
 * kernels. Cosine indexes store unit vectors, so cosine is the negated dot product of a normalised
 * query; {@link #forQuery} normalises a copy of the query for that case. One query, one thread.
 */
public final class StoredVectorDistances implements DistanceSource {
  private final VectorValues vectors;
  private final boolean l2;
  private float[] query;

  public StoredVectorDistances(VectorValues vectors, Metric metric) {
    this.vectors = vectors;
    this.l2 = metric == Metric.L2;
  }

  /** Points this source at {@code query}, which must already be normalised for cosine. */
  public StoredVectorDistances setQuery(float[] query) {
    if (query.length != vectors.dims()) {
      throw new IllegalArgumentException(
          "query has " + query.length + " dimensions, index has " + vectors.dims());
    }
    this.query = query;
    return this;
  }

  @Override
  public float distance(int node) {
    return l2 ? vectors.squaredL2(query, node) : -vectors.dot(query, node);
  }

  @Override
  public void distances(int[] nodes, int count, float[] out) {
    int i = 0;
    if (l2) {
      for (; i + 4 <= count; i += 4) {
        vectors.squaredL2x4(query, nodes[i], nodes[i + 1], nodes[i + 2], nodes[i + 3], out, i);
      }
      for (; i < count; i++) {
        out[i] = vectors.squaredL2(query, nodes[i]);
      }
    } else {
      for (; i + 4 <= count; i += 4) {
        vectors.dot4(query, nodes[i], nodes[i + 1], nodes[i + 2], nodes[i + 3], out, i);
        out[i] = -out[i];
        out[i + 1] = -out[i + 1];
        out[i + 2] = -out[i + 2];
        out[i + 3] = -out[i + 3];
      }
      for (; i < count; i++) {
        out[i] = -vectors.dot(query, nodes[i]);
      }
    }
  }
}
