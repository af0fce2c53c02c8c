package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.Recomputer;
import java.util.function.IntPredicate;

/**
 * A graph index a shard can search, whatever its file format: our own ({@link HnswIndex}) or one
 * written by the Python LEANN ({@code io.leann.shard.faiss.FaissIndex}). Node ids are
 * {@code 0..size()-1}; distances follow {@link Metric} (lower is closer).
 *
 * <p>Implementations are safe for concurrent searches and release their memory on {@link #close()},
 * which must come after the last search.
 */
public interface SearchableIndex extends AutoCloseable {

  Metric metric();

  int dims();

  int size();

  /** Whether the vectors are stored, so a search can run without a recomputer. */
  boolean hasVectors();

  /**
   * Whether a search can run without a recomputer: with the stored vectors, or with PQ codes alone
   * (the compressed search of {@code io.leann.shard.search.ShardSearch}).
   */
  default boolean searchableWithoutRecompute() {
    return hasVectors();
  }

  /**
   * Why a search without recompute of index {@code name} is refused, when one of its graphs is not
   * {@link #searchableWithoutRecompute()}: the same words from the CLI, the server and the shards.
   */
  static String recomputeRequired(String name) {
    return "index '" + name + "' stores no embeddings and no PQ codes (built pruned for recomputation); "
        + "search it with recompute on";
  }

  /**
   * The distance source for a search of {@code query}: recomputed through {@code recomputer} if one
   * is given, else the stored vectors. Checks the dimensions and normalises for cosine.
   *
   * @throws IllegalStateException if no recomputer is given and no vectors are stored
   */
  DistanceSource distanceSource(float[] query, Recomputer recomputer);

  /**
   * The {@code k} nearest nodes {@code accept} admits (null: all), with a level-0 beam of
   * {@code max(ef, k)}.
   *
   * @param recomputer distance source for an index without vectors; null to use stored vectors
   * @throws IllegalStateException if no recomputer is given and no vectors are stored
   */
  default SearchResult search(float[] query, int k, int ef, IntPredicate accept, Recomputer recomputer) {
    return search(query, k, ef, accept, recomputer, 0);
  }

  /**
   * Like {@link #search(float[], int, int, IntPredicate, Recomputer)}, with dynamic batching: each
   * distance request gathers the unvisited neighbours of several promising candidates until there
   * are {@code batchTarget} (0: one expanded node per request). See
   * {@link GraphSearcher#search(HnswGraph, DistanceSource, int, int, IntPredicate, int)}.
   */
  SearchResult search(float[] query, int k, int ef, IntPredicate accept, Recomputer recomputer, int batchTarget);

  /** Searches with the stored vectors. */
  default SearchResult search(float[] query, int k, int ef) {
    return search(query, k, ef, null, null);
  }

  /** Searches with distances from {@code recomputer}, one request per expansion step. */
  default SearchResult search(float[] query, int k, int ef, Recomputer recomputer) {
    return search(query, k, ef, null, recomputer);
  }

  @Override
  void close();
}
