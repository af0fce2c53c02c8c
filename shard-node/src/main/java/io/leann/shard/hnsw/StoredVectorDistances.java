package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorValues;

/**
 * Distances from a query to stored vectors, by the metric's {@link Similarity}; batches go through
 * the one-query-four-candidates kernels. Cosine indexes store unit vectors and the query arrives
 * normalised, so cosine is the negated dot product. One query, one thread.
 */
public final class StoredVectorDistances implements DistanceSource {
  private final VectorValues vectors;
  private final Similarity similarity;
  private float[] query;

  public StoredVectorDistances(VectorValues vectors, Metric metric) {
    this.vectors = vectors;
    this.similarity = Similarity.of(metric);
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
    return similarity.distance(query, vectors, node);
  }

  @Override
  public void distances(int[] nodes, int count, float[] out) {
    similarity.distances(query, vectors, nodes, count, out);
  }
}
