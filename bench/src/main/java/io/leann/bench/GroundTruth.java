package io.leann.bench;

import io.leann.protocol.Metric;
import io.leann.shard.hnsw.ExactSearch;
import io.leann.shard.vector.VectorValues;
import java.util.stream.IntStream;

/**
 * Exact k nearest neighbours of every query (the engine's exhaustive search, in parallel over the
 * queries), and recall@k against them: the share of the true k ids a result list contains.
 * Recall is by id, the same definition the Python peers apply to the same id file.
 */
final class GroundTruth {
  private GroundTruth() {}

  /** Queries must already be normalised for cosine (the data sets are). */
  static int[][] exact(VectorValues train, Metric metric, float[][] queries, int k) {
    int[][] truth = new int[queries.length][];
    IntStream.range(0, queries.length).parallel()
        .forEach(q -> truth[q] = ExactSearch.search(train, metric, queries[q], k).nodes());
    return truth;
  }

  /** Mean recall@k of {@code found} (one id list per query) against {@code truth}. */
  static double recall(int[][] found, int[][] truth, int k) {
    long hits = 0;
    for (int q = 0; q < truth.length; q++) {
      int limit = Math.min(k, found[q].length);
      for (int t = 0; t < Math.min(k, truth[q].length); t++) {
        for (int i = 0; i < limit; i++) {
          if (found[q][i] == truth[q][t]) {
            hits++;
            break;
          }
        }
      }
    }
    return (double) hits / ((long) truth.length * k);
  }
}
