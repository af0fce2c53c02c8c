package io.leann.shard.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leann.protocol.Metric;
import io.leann.shard.vector.ArrayVectors;
import org.junit.jupiter.api.Test;

class DiversityHeuristicTest {
  // Base node 0 at the origin; 1 and 2 almost coincide (2 is redundant next to 1); 3 points away.
  private static final ArrayVectors VECTORS = new ArrayVectors(new float[] {
      0, 0,
      1, 0,
      1.1f, 0.1f,
      0, -2}, 2);
  private final DiversityHeuristic heuristic = new DiversityHeuristic(VECTORS, Metric.L2);

  private static int[] ids() {
    return new int[] {1, 2, 3};
  }

  private static float[] dists() {
    return new float[] {VECTORS.squaredL2Between(0, 1), VECTORS.squaredL2Between(0, 2),
        VECTORS.squaredL2Between(0, 3)};
  }

  @Test
  void anUncheckedEntryRedundantWithACloserOneGoes() {
    assertEquals(1, heuristic.worstNonDiverse(ids(), dists(), new boolean[] {false, true, false}, 3));
  }

  @Test
  void aCheckedEntryRedundantWithACloserNewcomerGoes() {
    assertEquals(1, heuristic.worstNonDiverse(ids(), dists(), new boolean[] {true, false, false}, 3));
  }

  @Test
  void withNoRedundantUncheckedEntryTheFarthestGoes() {
    assertEquals(2, heuristic.worstNonDiverse(ids(), dists(), new boolean[] {false, false, true}, 3));
  }

  @Test
  void selectDropsTheRedundantCandidate() {
    int[] ids = ids();
    float[] dists = dists();
    assertEquals(2, heuristic.select(ids, dists, 3, 3));
    assertEquals(1, ids[0]);
    assertEquals(3, ids[1]);
  }
}
