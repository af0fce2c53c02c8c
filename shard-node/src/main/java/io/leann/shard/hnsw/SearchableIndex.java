package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.pq.PqCodes;
import io.leann.shard.vector.VectorValues;

/**
 * A graph index a shard can search, whatever its file format: our own ({@link HnswIndex}) or one
 * written by the Python LEANN ({@code io.leann.shard.faiss.FaissIndex}). It holds what a search
 * reads, the graph and whatever the index stores to score nodes with; the search itself is the
 * engine's ({@code io.leann.shard.search.ShardSearch}). Node ids are {@code 0..size()-1}; distances
 * follow {@link Metric} (lower is closer).
 *
 * <p>Implementations are safe for concurrent reads and release their memory on {@link #close()},
 * which must come after the last search.
 */
public interface SearchableIndex extends AutoCloseable {

  Metric metric();

  int dims();

  int size();

  HnswGraph graph();

  /** The stored vectors (unit rows for cosine), or null for an index built for recomputation. */
  VectorValues vectors();

  /** PQ codes for the two-level and the compressed search, or null. */
  default PqCodes pq() {
    return null;
  }

  /** Exact embeddings of the hub nodes, served without recompute by a two-level search; or null. */
  default HubVectors hubs() {
    return null;
  }

  /** Whether the vectors are stored, so a search can run without a recomputer. */
  default boolean hasVectors() {
    return vectors() != null;
  }

  /** Whether a search can run without a recomputer: with the stored vectors, or with PQ codes alone. */
  default boolean searchableWithoutRecompute() {
    return hasVectors() || pq() != null;
  }

  /**
   * Why a search without recompute of index {@code name} is refused, when one of its graphs is not
   * {@link #searchableWithoutRecompute()}: the same words from the CLI, the server and the shards.
   */
  static String recomputeRequired(String name) {
    return "index '" + name + "' stores no embeddings and no PQ codes (built pruned for recomputation); "
        + "search it with recompute on";
  }

  @Override
  void close();
}
