package io.leann.shard.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NeighborQueueTest {
  @Test
  void minQueuePopsClosestFirstIncludingNegativeDistances() {
    NeighborQueue q = new NeighborQueue(2, false);
    float[] ds = {3f, -1f, 0f, -7.5f, 2f, Float.MAX_VALUE, -0f};
    for (int i = 0; i < ds.length; i++) {
      q.add(i, ds[i]);
    }
    float[] sorted = ds.clone();
    Arrays.sort(sorted);
    for (float expected : sorted) {
      assertEquals(expected, q.topDistance());
      q.pop();
    }
    assertTrue(q.isEmpty());
  }

  @Test
  void boundedMaxQueueKeepsTheClosest() {
    SplittableRandom r = new SplittableRandom(1);
    NeighborQueue q = new NeighborQueue(4, true);
    float[] all = new float[1000];
    for (int i = 0; i < all.length; i++) {
      all[i] = (float) r.nextDouble() * 100 - 50;
      q.insertWithOverflow(i, all[i], 10);
    }
    float[] sorted = all.clone();
    Arrays.sort(sorted);
    assertEquals(10, q.size());
    assertEquals(sorted[9], q.topDistance());
    assertFalse(q.insertWithOverflow(2000, sorted[9] + 1, 10));
  }

  @Test
  void tiesBreakOnNodeId() {
    NeighborQueue q = new NeighborQueue(4, false);
    q.add(9, 1f);
    q.add(3, 1f);
    q.add(5, 1f);
    assertEquals(3, q.pop());
    assertEquals(5, q.pop());
    assertEquals(9, q.pop());
  }
}
