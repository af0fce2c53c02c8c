package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.vector.VectorValues;
import java.util.BitSet;

/**
 * Exhaustive k-nearest-neighbour search: the ground truth recall is measured against, the right
 * answer for indexes too small to need a graph, and the scan of a selective filter's matches. Asks
 * for distances in batches of {@value #BATCH} rows (one recompute round trip each when the source
 * recomputes). Stateless; each call allocates its own queue, so it is safe to call from many threads.
 */
public final class ExactSearch {
  /** Rows per distance request. */
  public static final int BATCH = 256;

  private ExactSearch() {}

  /** The {@code k} nearest of {@code source}'s {@code size} nodes, closest first. */
  public static SearchResult search(DistanceSource source, int size, int k) {
    BitSet all = new BitSet(size);
    all.set(0, size);
    return search(source, all, k);
  }

  /**
   * The {@code k} nearest of the {@code rows} by {@code source}'s distances, closest first (ties on
   * the lower row).
   */
  public static SearchResult search(DistanceSource source, BitSet rows, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    NeighborQueue best = new NeighborQueue(Math.min(k, BATCH) + 1, true);
    int[] ids = new int[BATCH];
    float[] distances = new float[BATCH];
    long evaluated = 0;
    long batches = 0;
    int row = rows.nextSetBit(0);
    while (row >= 0) {
      int count = 0;
      while (row >= 0 && count < BATCH) {
        ids[count++] = row;
        row = row == Integer.MAX_VALUE ? -1 : rows.nextSetBit(row + 1);
      }
      source.distances(ids, count, distances);
      evaluated += count;
      batches++;
      for (int i = 0; i < count; i++) {
        best.insertWithOverflow(ids[i], distances[i], k);
      }
    }
    return SearchResult.fromMaxQueue(best, k, new SearchStats(evaluated, 0, batches));
  }

  /** The {@code k} nearest stored vectors to {@code query} (normalised already for cosine). */
  public static SearchResult search(VectorValues vectors, Metric metric, float[] query, int k) {
    return search(new StoredVectorDistances(vectors, metric).setQuery(query), vectors.size(), k);
  }
}
