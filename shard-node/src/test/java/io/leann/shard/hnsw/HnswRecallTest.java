package io.leann.shard.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.shard.search.Searches;
import io.leann.shard.vector.ArrayVectors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HnswRecallTest {
  private static final int K = 10;

  @ParameterizedTest
  @EnumSource(Metric.class)
  void clusteredDataReachesRecall95(Metric metric) {
    float[][] data = TestData.clustered(4000, 48, 25, 7);
    float[][] queries = Arrays.copyOfRange(TestData.clustered(4100, 48, 25, 7), 4000, 4100);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    HnswParams params = new HnswParams(metric, 16, 100, 2, 1);
    try (HnswIndex index = HnswIndex.build(vectors, params, HnswIndex.BuildOptions.withVectors())) {
      double recall = TestData.recall(index, vectors, metric, queries, K, 64);
      assertTrue(recall >= 0.95, metric + " recall@10 at ef=64 was " + recall);
    }
  }

  @Test
  void realSentenceEmbeddingsReachRecall95() throws Exception {
    float[][] all = TestData.leannFixtureVectors();
    // hold out 40 real embeddings as queries, index the other 360
    float[][] data = Arrays.copyOfRange(all, 0, 360);
    float[][] queries = Arrays.copyOfRange(all, 360, 400);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    HnswParams params = new HnswParams(Metric.COSINE, 32, 200, 1, 3);
    try (HnswIndex index = HnswIndex.build(vectors, params, HnswIndex.BuildOptions.withVectors())) {
      double recall = TestData.recall(index, vectors, Metric.COSINE, queries, K, 64);
      assertTrue(recall >= 0.95, "recall@10 on real embeddings at ef=64 was " + recall);
    }
  }

  @Test
  void singleThreadedBuildWithSeedIsReproducible() {
    float[][] data = TestData.clustered(1500, 24, 10, 11);
    HnswParams params = new HnswParams(Metric.L2, 8, 60, 1, 99);
    OnHeapGraph a = HnswBuilder.build(ArrayVectors.copyOf(data, false), params);
    OnHeapGraph b = HnswBuilder.build(ArrayVectors.copyOf(data, false), params);
    assertEquals(a.entryPoint(), b.entryPoint());
    assertEquals(a.maxLevel(), b.maxLevel());
    int[] x = new int[16];
    int[] y = new int[16];
    for (int node = 0; node < a.size(); node++) {
      assertEquals(a.level(node), b.level(node));
      for (int l = 0; l <= a.level(node); l++) {
        int cx = a.neighbors(l, node, x);
        int cy = b.neighbors(l, node, y);
        assertArrayEquals(Arrays.copyOf(x, cx), Arrays.copyOf(y, cy), "node " + node + " level " + l);
      }
    }
  }

  @Test
  void parallelBuildRespectsDegreeCapsAndLinksEveryNode() {
    float[][] data = TestData.clustered(3000, 16, 12, 5);
    HnswParams params = new HnswParams(Metric.L2, 8, 80, 4, 5);
    OnHeapGraph g = HnswBuilder.build(ArrayVectors.copyOf(data, false), params);
    int[] scratch = new int[16];
    boolean[] reached = new boolean[g.size()];
    for (int node = 0; node < g.size(); node++) {
      for (int l = 0; l <= g.level(node); l++) {
        int c = g.neighbors(l, node, scratch);
        assertTrue(c <= g.maxDegree(l), "degree cap exceeded at node " + node);
        for (int i = 0; i < c; i++) {
          assertTrue(scratch[i] != node, "self loop at " + node);
          assertTrue(g.level(scratch[i]) >= l, "link to a node absent from level " + l);
          reached[scratch[i]] = true;
        }
      }
      assertTrue(g.neighbors(0, node, scratch) > 0, "node " + node + " has no level-0 links");
    }
    long unreached = 0;
    for (int i = 0; i < reached.length; i++) {
      if (!reached[i] && i != g.entryPoint()) {
        unreached++;
      }
    }
    assertTrue(unreached <= g.size() / 100, unreached + " nodes have no incoming link");
  }

  @Test
  void searchReturnsStatsAndSortedResults() {
    float[][] data = TestData.clustered(1000, 16, 5, 3);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 8, 50, 1, 1),
        HnswIndex.BuildOptions.withVectors())) {
      SearchResult r = Searches.stored(index, data[17], 5, 32);
      assertEquals(5, r.size());
      assertEquals(17, r.nodes()[0]);
      assertEquals(0f, r.distances()[0]);
      for (int i = 1; i < r.size(); i++) {
        assertTrue(r.distances()[i - 1] <= r.distances()[i]);
      }
      assertTrue(r.stats().distanceComputations() > 0);
      assertTrue(r.stats().hops() > 0);
    }
  }

  @Test
  void tinyIndexesReturnEverything() {
    float[][] data = TestData.clustered(3, 4, 1, 1);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 4, 10, 1, 1),
        HnswIndex.BuildOptions.withVectors())) {
      assertEquals(3, Searches.stored(index, data[0], 10, 10).size());
    }
  }
}
