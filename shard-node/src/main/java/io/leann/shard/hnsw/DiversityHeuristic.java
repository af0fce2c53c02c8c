package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorValues;

/**
 * The HNSW neighbour-selection heuristic (Malkov and Yashunin, Alg. 4, without extension): from
 * candidates sorted closest first, keep one only if it is strictly closer to the base node than to
 * every candidate kept before it. Links then point in diverse directions instead of crowding one
 * cluster, which is what keeps the graph navigable. Stateless and thread-safe.
 */
final class DiversityHeuristic {
  private final VectorValues vectors;
  private final Similarity similarity;

  DiversityHeuristic(VectorValues vectors, Metric metric) {
    this.vectors = vectors;
    this.similarity = Similarity.of(metric);
  }

  /**
   * Selects up to {@code max} of the {@code count} candidates (sorted closest first), moving the
   * kept pairs to the front of the arrays in order; returns how many were kept.
   */
  int select(int[] ids, float[] dists, int count, int max) {
    int kept = 0;
    for (int i = 0; i < count && kept < max; i++) {
      int c = ids[i];
      float dc = dists[i];
      boolean diverse = true;
      for (int j = 0; j < kept; j++) {
        float d = similarity.distanceBetween(vectors, c, ids[j]);
        // A tie is not diverse: among identical vectors (a corpus's repeated footers and quoted
        // text) every distance ties, and keeping ties lets duplicates fill each other's lists with
        // links to one another only, a trap a search walks into and cannot leave.
        if (d <= dc) {
          diverse = false;
          break;
        }
      }
      if (diverse) {
        ids[kept] = c;
        dists[kept] = dc;
        kept++;
      }
    }
    return kept;
  }

  /** Insertion sort by (distance, id): lists hold at most 2M + 1 entries. */
  static void sortByDistance(int[] ids, float[] dists, int count) {
    for (int i = 1; i < count; i++) {
      int id = ids[i];
      float d = dists[i];
      int j = i - 1;
      while (j >= 0 && (dists[j] > d || (dists[j] == d && ids[j] > id))) {
        ids[j + 1] = ids[j];
        dists[j + 1] = dists[j];
        j--;
      }
      ids[j + 1] = id;
      dists[j + 1] = d;
    }
  }
}
