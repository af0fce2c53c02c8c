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
        float d = distance(c, ids[j]);
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

  /**
   * Which entry to drop from a list one over its cap (Lucene's {@code findWorstNonDiverse}): the
   * entries are sorted closest to the base node first, and {@code unchecked} flags the ones added
   * since the list was last verified diverse (at least the newcomer). Scanning from the farthest,
   * an entry goes if it is not diverse (see {@link #select}) with respect to a closer unchecked
   * entry, or, if it is unchecked itself, to any closer entry; if every entry passes, the farthest
   * goes. Removing exactly one keeps lists full, where re-running {@link #select} over the whole
   * list would shrink it to its diverse core and lose the links that make recall at small ef.
   *
   * @return the index to remove
   */
  int worstNonDiverse(int[] ids, float[] dists, boolean[] unchecked, int count) {
    int lastUnchecked = -1;
    for (int i = count - 1; i >= 0 && lastUnchecked < 0; i--) {
      if (unchecked[i]) {
        lastUnchecked = i;
      }
    }
    for (int i = count - 1; i > 0 && lastUnchecked >= 0; i--) {
      int c = ids[i];
      float dc = dists[i];
      if (unchecked[i]) {
        for (int j = i - 1; j >= 0; j--) {
          if (distance(c, ids[j]) <= dc) {
            return i;
          }
        }
      } else {
        for (int j = Math.min(i - 1, lastUnchecked); j >= 0; j--) {
          if (unchecked[j] && distance(c, ids[j]) <= dc) {
            return i;
          }
        }
      }
      if (i == lastUnchecked) {
        do {
          lastUnchecked--;
        } while (lastUnchecked >= 0 && !unchecked[lastUnchecked]);
      }
    }
    return count - 1;
  }

  private float distance(int a, int b) {
    return similarity.distanceBetween(vectors, a, b);
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
