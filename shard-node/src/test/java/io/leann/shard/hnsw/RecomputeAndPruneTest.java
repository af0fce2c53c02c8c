package io.leann.shard.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.protocol.RecomputeException;
import io.leann.protocol.Recomputer;
import io.leann.shard.search.Searches;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.ScalarDistances;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecomputeAndPruneTest {
  private static final int K = 10;

  @Test
  void recomputeModeReturnsExactlyWhatStoredModeReturns() {
    float[][] data = TestData.clustered(3000, 32, 20, 21);
    float[][] queries = Arrays.copyOfRange(TestData.clustered(3050, 32, 20, 21), 3000, 3050);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    HnswParams params = new HnswParams(Metric.COSINE, 16, 100, 2, 4);
    try (HnswIndex index = HnswIndex.build(vectors, params, HnswIndex.BuildOptions.withVectors())) {
      CountingRecomputer recomputer = new CountingRecomputer(new VectorRecomputer(vectors, Metric.COSINE));
      for (int ef : new int[] {16, 64}) {
        for (float[] q : queries) {
          SearchResult stored = Searches.stored(index, q, K, ef);
          long before = recomputer.nodes;
          SearchResult recomputed = Searches.recomputed(index, q, K, ef, recomputer);
          assertArrayEquals(stored.nodes(), recomputed.nodes());
          assertArrayEquals(stored.distances(), recomputed.distances());
          assertEquals(stored.stats().distanceComputations(), recomputed.stats().distanceComputations());
          assertEquals(stored.stats().hops(), recomputed.stats().hops());
          assertEquals(stored.stats().batches(), recomputed.stats().batches());
          // every distance the search evaluated was one recomputed embedding, and nothing more
          assertEquals(recomputed.stats().distanceComputations(), recomputer.nodes - before);
          assertEquals(recomputed.stats().distanceComputations(), recomputed.stats().recomputed());
          assertEquals(0, stored.stats().recomputed());
          assertTrue(recomputer.nodes - before < vectors.size() / 4,
              "recompute search touched " + (recomputer.nodes - before) + " of " + vectors.size());
        }
      }
      assertEquals(recomputer.requests, recomputer.batchesSeen);
    }
  }

  @Test
  void prunedIndexWithoutVectorsIsSearchedByRecomputation() {
    float[][] data = TestData.clustered(2000, 24, 10, 8);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 16, 100, 2, 8),
        HnswIndex.BuildOptions.leannDefault(16))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Searches.stored(index, data[0], K, 32));
      assertTrue(e.getMessage().contains("recompute"), e.getMessage());
      SearchResult r = Searches.recomputed(index, data[5], K, 32, new VectorRecomputer(vectors, Metric.L2));
      assertEquals(5, r.nodes()[0]);
    }
  }

  @Test
  void recomputeFailurePropagatesAsRecomputeException() {
    float[][] data = TestData.clustered(500, 8, 4, 2);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 8, 40, 1, 2),
        HnswIndex.BuildOptions.leannDefault(8))) {
      Recomputer dead = (q, ids, count, out) -> {
        throw new RecomputeException("embed worker tcp://127.0.0.1:1 timed out");
      };
      RecomputeException e = assertThrows(RecomputeException.class, () -> Searches.recomputed(index, data[0], K, 16, dead));
      assertTrue(e.getMessage().contains("timed out"));
    }
  }

  /**
   * Pruning at the defaults (M=16 kept by the 2% hubs, m=8 elsewhere, reverse edges refill to
   * 16) must stay within 2 recall points of the full graph at ef=100, while cutting level-0 links.
   */
  @Test
  void prunedGraphRecallWithinTwoPointsOfFullGraph() throws Exception {
    float[][] all = TestData.leannFixtureVectors();
    float[][] synthetic = TestData.clustered(6000, 48, 40, 13);
    for (float[][] set : new float[][][] {synthetic, all}) {
      int holdOut = set.length / 10;
      float[][] data = Arrays.copyOfRange(set, 0, set.length - holdOut);
      float[][] queries = Arrays.copyOfRange(set, set.length - holdOut, set.length);
      Metric metric = set == all ? Metric.COSINE : Metric.L2;
      HnswParams params = new HnswParams(metric, 16, 100, 2, 17);
      ArrayVectors vectors = ArrayVectors.copyOf(data, metric.normalises());
      OnHeapGraph full = HnswBuilder.build(vectors, params);
      long fullEdges = full.edgeCount(0);
      try (HnswIndex unpruned = HnswIndex.fromBuilt(full, vectors, metric, HnswIndex.BuildOptions.withVectors())) {
        double fullRecall = TestData.recall(unpruned, vectors, metric, queries, K, 100);
        OnHeapGraph again = HnswBuilder.build(vectors, params);
        try (HnswIndex pruned = HnswIndex.fromBuilt(again, vectors, metric,
            new HnswIndex.BuildOptions(true, PruneParams.forBuildDegree(16), true))) {
          double prunedRecall = TestData.recall(pruned, vectors, metric, queries, K, 100);
          long prunedEdges = pruned.graph().level0EdgeCount();
          assertTrue(prunedEdges < fullEdges * 0.75, "pruning kept " + prunedEdges + " of " + fullEdges);
          assertTrue(prunedRecall >= fullRecall - 0.02,
              metric + ": pruned recall " + prunedRecall + " vs full " + fullRecall);
        }
      }
    }
  }

  @Test
  void hubsKeepMoreLinksThanOtherNodes() {
    float[][] data = TestData.clustered(2000, 16, 10, 3);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    OnHeapGraph g = HnswBuilder.build(vectors, new HnswParams(Metric.L2, 16, 100, 1, 3));
    boolean[] hubs = GraphPruner.selectHubs(g, 0.02);
    int hubCount = 0;
    for (boolean h : hubs) {
      hubCount += h ? 1 : 0;
    }
    assertEquals(40, hubCount);
    PruneParams p = new PruneParams(16, 4, 0.02);
    GraphPruner.prune(g, vectors, Metric.L2, p);
    int[] scratch = new int[32];
    for (int node = 0; node < g.size(); node++) {
      assertTrue(g.neighbors(0, node, scratch) <= 16, "node " + node + " above M after pruning");
    }
  }

  @Test
  void dynamicBatchingCutsRequestsAndKeepsRecall() {
    float[][] data = TestData.clustered(3000, 32, 20, 44);
    float[][] queries = Arrays.copyOfRange(TestData.clustered(3040, 32, 20, 44), 3000, 3040);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 16, 100, 2, 4),
        HnswIndex.BuildOptions.leannDefault(16))) {
      CountingRecomputer single = new CountingRecomputer(new VectorRecomputer(vectors, Metric.L2));
      CountingRecomputer batched = new CountingRecomputer(new VectorRecomputer(vectors, Metric.L2));
      int foundSingle = 0;
      int foundBatched = 0;
      for (float[] q : queries) {
        int[] truth = ExactSearch.search(vectors, Metric.L2, q, K).nodes();
        SearchResult a = Searches.recomputed(index, q, K, 64, single, 0);
        SearchResult b = Searches.recomputed(index, q, K, 64, batched, 64);
        for (int t : truth) {
          foundSingle += Arrays.stream(a.nodes()).anyMatch(n -> n == t) ? 1 : 0;
          foundBatched += Arrays.stream(b.nodes()).anyMatch(n -> n == t) ? 1 : 0;
        }
        for (int i = 0; i < b.size(); i++) {
          assertEquals(ScalarDistances.squaredL2(q, data[b.nodes()[i]]), b.distances()[i], 1e-3f);
        }
      }
      assertTrue(batched.requests * 2 < single.requests,
          "batches of 64: " + batched.requests + " requests, one node per step: " + single.requests);
      assertTrue(foundBatched >= foundSingle - 4, "recall " + foundBatched + " vs " + foundSingle);
    }
  }

  private static final class CountingRecomputer implements Recomputer {
    private final Recomputer inner;
    long nodes;
    long requests;
    long batchesSeen;

    CountingRecomputer(Recomputer inner) {
      this.inner = inner;
    }

    @Override
    public void distances(float[] query, int[] ids, int count, float[] out) {
      inner.distances(query, ids, count, out);
      nodes += count;
      requests++;
      batchesSeen++;
    }
  }
}
