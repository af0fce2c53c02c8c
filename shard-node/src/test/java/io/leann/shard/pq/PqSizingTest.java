package io.leann.shard.pq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.shard.hnsw.GraphBuild;
import org.junit.jupiter.api.Test;

/** A PQ sized to its corpus fits its byte budget, uses it well, and stays within 5% at scale. */
class PqSizingTest {
  private static final int DIMS = 384;

  @Test
  void theChosenShapeFitsTheBudgetAndNoLargerShapeDoes() {
    for (long n : new long[] {600, 5_000, 40_000, 1_000_000}) {
      for (long budget : new long[] {30_000, 200_000, 1_000_000, 20_000_000}) {
        PqParams p = PqParams.forBudget(n, DIMS, budget);
        if (p == null) {
          assertTrue(PqParams.bytes(n, DIMS, 1, 1) > budget || 2 * 2 > n, n + " " + budget);
          continue;
        }
        assertEquals(0, DIMS % p.subspaces());
        assertTrue(PqParams.bytes(n, DIMS, p.subspaces(), p.bits()) <= budget);
        assertTrue(p.centroids() * 2L <= n, "k-means needs points to average");
        // No other shape within the budget has more bits of code per vector.
        for (int bits = 1; bits <= 8 && (1L << bits) * 2 <= n; bits++) {
          for (int m = 1; m <= DIMS; m++) {
            if (DIMS % m == 0 && PqParams.bytes(n, DIMS, m, bits) <= budget) {
              assertTrue(m * bits <= p.subspaces() * p.bits(), n + " " + budget + ": " + m + "x" + bits);
            }
          }
        }
      }
    }
  }

  @Test
  void tooSmallABudgetOrCorpusGetsNoPq() {
    assertNull(PqParams.forBudget(1_000, DIMS, 3_000), "a 2-centroid codebook alone is 3,088 bytes");
    assertNull(PqParams.forBudget(3, DIMS, 1 << 20), "3 vectors cannot train 2 centroids");
  }

  @Test
  void theDefaultPqIsWithinFivePercentFromTenThousandPassagesAndHalfTheVectorsBelow() {
    for (long n : new long[] {5, 40, 551, 2_000, 10_000, 34_185, 1_000_000}) {
      long vectors = n * DIMS * Float.BYTES;
      long graph = n * 30;
      PqParams p = GraphBuild.sizedPq(n, DIMS, graph);
      long pq = PqParams.bytes(n, DIMS, p.subspaces(), p.bits());
      assertTrue(pq <= vectors / 2, n + ": " + pq);
      if (n >= 10_000) {
        assertTrue(pq + graph + n * GraphBuild.RESERVED_PER_PASSAGE <= 0.05 * vectors, n + ": " + pq);
      }
    }
    // The full codebook once the corpus pays for it.
    assertEquals(8, GraphBuild.sizedPq(1_000_000, DIMS, 30_000_000L).bits());
  }
}
