package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.pq.PqCodes;

/**
 * The distances a two-level search walks the graph with: exact for hub nodes, whose embeddings
 * the index stores, and from PQ codes for all others. Local and cheap, so the walk can afford a
 * wide beam without any recompute. One query, one thread; {@link #setQuery} starts the next.
 */
final class ApproximateDistances implements DistanceSource {
  private final PqCodes codes;
  private final HubVectors hubs;
  private final Metric metric;
  private final float[] table;
  private float[] query;
  private long approximate;

  ApproximateDistances(PqCodes codes, HubVectors hubs, Metric metric) {
    this.codes = codes;
    this.hubs = hubs;
    this.metric = metric;
    this.table = new float[codes.quantizer().tableSize()];
  }

  /** Prepares for {@code query} (normalised already for cosine): builds its lookup table. */
  ApproximateDistances setQuery(float[] query) {
    this.query = query;
    codes.quantizer().lookupTable(query, metric, table);
    approximate = 0;
    return this;
  }

  @Override
  public float distance(int node) {
    int slot = hubs == null ? -1 : hubs.slot(node);
    if (slot >= 0) {
      return hubs.distance(query, slot, metric);
    }
    approximate++;
    return codes.distance(table, node);
  }

  @Override
  public void distances(int[] nodes, int count, float[] out) {
    for (int i = 0; i < count; i++) {
      out[i] = distance(nodes[i]);
    }
  }

  /** Distances taken from PQ codes since {@link #setQuery}. */
  long approximate() {
    return approximate;
  }
}
