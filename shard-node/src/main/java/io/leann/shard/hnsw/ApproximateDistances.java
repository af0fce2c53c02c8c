package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.pq.PqCodes;

/**
 * The distances a two-level search walks the graph with: from PQ codes, for every node. Local and
 * cheap, so the walk can afford a wide beam without any recompute.
 *
 * <p>Hub nodes get their PQ distance too, although their exact embeddings are stored: PQ distances
 * are biased, so exact ones mixed into the same ranking win or lose against them by that bias rather
 * than by closeness (measured with 10% hubs: recall@3 0.935 -> 0.895, PERFORMANCE.md §9). Hubs serve
 * the exact rerank instead, where they replace recomputes. One query, one thread; {@link #setQuery}
 * starts the next.
 */
public final class ApproximateDistances implements DistanceSource {
  private final PqCodes codes;
  private final Metric metric;
  private final float[] table;

  public ApproximateDistances(PqCodes codes, Metric metric) {
    this.codes = codes;
    this.metric = metric;
    this.table = new float[codes.quantizer().tableSize()];
  }

  /** Prepares for {@code query} (normalised already for cosine): builds its lookup table. */
  public ApproximateDistances setQuery(float[] query) {
    codes.quantizer().lookupTable(query, metric, table);
    return this;
  }

  @Override
  public float distance(int node) {
    return codes.distance(table, node);
  }

  @Override
  public void distances(int[] nodes, int count, float[] out) {
    for (int i = 0; i < count; i++) {
      out[i] = codes.distance(table, nodes[i]);
    }
  }
}
