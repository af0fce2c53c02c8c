package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.vector.VectorValues;

/**
 * Exhaustive k-nearest-neighbour search: the ground truth recall is measured against, and the
 * right answer for indexes too small to need a graph. Scans all vectors with the batch kernels.
 * Stateless; each call allocates its own queue, so it is safe to call from many threads.
 */
public final class ExactSearch {
  private static final int BLOCK = 256;

  private ExactSearch() {}

  /** The {@code k} nearest of {@code source}'s {@code size} nodes, closest first. */
  public static SearchResult search(DistanceSource source, int size, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    NeighborQueue results = new NeighborQueue(Math.min(k, size) + 1, true);
    int[] ids = new int[BLOCK];
    float[] dists = new float[BLOCK];
    for (int start = 0; start < size; start += BLOCK) {
      int count = Math.min(BLOCK, size - start);
      for (int i = 0; i < count; i++) {
        ids[i] = start + i;
      }
      source.distances(ids, count, dists);
      for (int i = 0; i < count; i++) {
        results.insertWithOverflow(ids[i], dists[i], k);
      }
    }
    return SearchResult.fromMaxQueue(results, k, new SearchStats(size, 0, (size + BLOCK - 1) / BLOCK));
  }

  /** The {@code k} nearest stored vectors to {@code query} (normalised already for cosine). */
  public static SearchResult search(VectorValues vectors, Metric metric,
      float[] query, int k) {
    return search(new StoredVectorDistances(vectors, metric).setQuery(query), vectors.size(), k);
  }
}
