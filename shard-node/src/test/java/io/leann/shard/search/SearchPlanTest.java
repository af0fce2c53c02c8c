package io.leann.shard.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.protocol.Recomputer;
import io.leann.shard.hnsw.ExactSearch;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.HnswParams;
import io.leann.shard.hnsw.RecomputeDistances;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.VectorRecomputer;
import io.leann.shard.pq.PqParams;
import io.leann.shard.search.SearchPlan.Scorer;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.VectorDistances;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SearchPlanTest {
  private static final int N = 1500;
  private static final int DIMS = 16;

  private static float[][] points(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] out = new float[n][DIMS];
    for (float[] row : out) {
      for (int d = 0; d < DIMS; d++) {
        row[d] = (float) (r.nextDouble() * 2 - 1);
      }
    }
    return out;
  }

  private static BitSet every(int step, int n) {
    BitSet bits = new BitSet(n);
    for (int i = 0; i < n; i += step) {
      bits.set(i);
    }
    return bits;
  }

  /** Brute force over the matching rows, by the metric's engine distance (cosine on unit vectors). */
  private static int[] nearest(float[][] data, float[] query, BitSet matches, Metric metric, int k) {
    float[] q = query.clone();
    if (metric.normalises()) {
      VectorDistances.normalize(q);
    }
    return matches.stream().boxed()
        .sorted((a, b) -> {
          int c = Float.compare(distance(metric, q, data[a]), distance(metric, q, data[b]));
          return c != 0 ? c : Integer.compare(a, b);
        })
        .limit(k).mapToInt(Integer::intValue).toArray();
  }

  private static float distance(Metric metric, float[] q, float[] v) {
    return metric == Metric.L2 ? VectorDistances.squaredL2(q, v) : -VectorDistances.dot(q, v);
  }

  private static HnswIndex build(float[][] data, HnswIndex.BuildOptions options) {
    return HnswIndex.build(ArrayVectors.copyOf(data, false), new HnswParams(Metric.L2, 8, 60, 1, 4), options);
  }

  @Test
  void thresholdFollowsTheCostModel() {
    assertEquals(11313, SearchPlan.exactThreshold(1_000_000, 10, 64));
    assertEquals(1600, SearchPlan.exactThreshold(20_000, 10, 64));
    assertEquals(500, SearchPlan.exactThreshold(0, 500, 64));
  }

  @Test
  void thePlanPicksEachScorerFromWhatTheIndexHoldsAndWhatTheCallerAsks() {
    float[][] data = points(N, 6);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    VectorRecomputer recomputer = new VectorRecomputer(vectors, Metric.L2);
    BitSet selective = every(50, N);
    BitSet broad = every(2, N);
    BitSet all = every(1, N);
    try (HnswIndex stored = build(data, HnswIndex.BuildOptions.withVectors());
        HnswIndex pruned = build(data, HnswIndex.BuildOptions.leannDefault(8));
        HnswIndex twoLevel = build(data, HnswIndex.BuildOptions.leannDefault(8)
            .withPq(new PqParams(4, 8, N, 8, 1), 0.05))) {
      assertPlan(Scorer.STORED, false, SearchPlan.choose(stored, false, 10, 32, null, null));
      assertPlan(Scorer.STORED, false, SearchPlan.choose(stored, false, 10, 32, broad, null));
      assertPlan(Scorer.STORED, true, SearchPlan.choose(stored, false, 10, 32, selective, null));
      assertPlan(Scorer.RECOMPUTE, false, SearchPlan.choose(stored, true, 10, 32, null, null));
      assertPlan(Scorer.RECOMPUTE, false, SearchPlan.choose(pruned, true, 10, 32, broad, null));
      assertPlan(Scorer.RECOMPUTE, true, SearchPlan.choose(pruned, true, 10, 32, selective, null));
      assertPlan(Scorer.PQ, false, SearchPlan.choose(twoLevel, false, 10, 32, null, null));
      assertPlan(Scorer.TWO_LEVEL, false, SearchPlan.choose(twoLevel, true, 10, 32, null, null));
      // The two-level and PQ walks filter on local PQ distances: never an exact scan.
      assertPlan(Scorer.TWO_LEVEL, false, SearchPlan.choose(twoLevel, true, 10, 32, selective, null));
      assertPlan(Scorer.PQ, false, SearchPlan.choose(twoLevel, false, 10, 32, selective, null));
      assertNull(SearchPlan.choose(stored, false, 10, 32, all, null).filter(), "a filter admitting all is none");
      assertTrue(SearchPlan.choose(twoLevel, true, 10, 32, new BitSet(), null).admitsNothing());
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> SearchPlan.choose(pruned, false, 10, 32, null, null));
      assertTrue(e.getMessage().contains("recompute"), e.getMessage());

      // Each plan runs its scorer: the stats show which distances it paid for.
      float[] query = points(1, 96)[0];
      SearchStats s = run(stored, false, selective, query, recomputer).stats();
      assertTrue(s.hops() == 0 && s.recomputed() == 0 && s.approximate() == 0, "stored exact scan " + s);
      assertEquals(selective.cardinality(), s.exact());
      s = run(stored, false, null, query, recomputer).stats();
      assertTrue(s.hops() > 0 && s.recomputed() == 0 && s.approximate() == 0, "stored walk " + s);
      s = run(pruned, true, null, query, recomputer).stats();
      assertTrue(s.hops() > 0 && s.recomputed() == s.distanceComputations() && s.approximate() == 0,
          "recompute walk " + s);
      s = run(pruned, true, selective, query, recomputer).stats();
      assertTrue(s.hops() == 0 && s.recomputed() == selective.cardinality(), "recompute exact scan " + s);
      s = run(twoLevel, false, null, query, recomputer).stats();
      assertTrue(s.approximate() > 0 && s.exact() == 0 && s.recomputed() == 0, "PQ walk " + s);
      s = run(twoLevel, true, null, query, recomputer).stats();
      assertTrue(s.approximate() > 0 && s.exact() > 0 && s.recomputed() > 0,
          "two-level " + s);
      assertEquals(s.exact(), s.recomputed() + s.hubHits() + s.cacheHits(), "every rerank distance is paid once");

      // The same exact distances, stored or recomputed, walk the same graph to the same nodes; an
      // exact scan finds the true nearest matches.
      assertArrayEquals(run(stored, false, null, query, recomputer).nodes(),
          run(stored, true, null, query, recomputer).nodes());
      assertArrayEquals(nearest(data, query, selective, Metric.L2, 10),
          run(pruned, true, selective, query, recomputer).nodes());
    }
  }

  private static void assertPlan(Scorer scorer, boolean exactScan, SearchPlan plan) {
    assertEquals(scorer, plan.scorer());
    assertEquals(exactScan, plan.exactScan(), "exact scan");
  }

  private static SearchResult run(HnswIndex index, boolean recompute, BitSet filter, float[] query,
      VectorRecomputer recomputer) {
    SearchPlan plan = SearchPlan.choose(index, recompute, 10, 32, filter, null);
    return ShardSearch.search(index, plan, query, recomputer, recomputer, null);
  }

  @Test
  void selectiveFilterIsScannedExactlyThroughTheRecomputer() {
    float[][] data = points(N, 1);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = build(data, HnswIndex.BuildOptions.leannDefault(8))) {
      CountingRecomputer recomputer = new CountingRecomputer(new VectorRecomputer(vectors, Metric.L2));
      BitSet matches = every(37, N);
      int count = matches.cardinality();
      float[] query = points(1, 99)[0];
      SearchPlan plan = SearchPlan.choose(index, true, 10, 32, matches, null);
      assertTrue(plan.exactScan());
      SearchResult r = ShardSearch.search(index, plan, query, recomputer, null, null);
      assertArrayEquals(nearest(data, query, matches, Metric.L2, 10), r.nodes());
      assertEquals(count, recomputer.ids, "one distance per matching row");
      assertEquals(1, recomputer.calls, "the matches fit one batch");
      assertEquals(count, r.stats().distanceComputations());
      assertEquals(count, r.stats().recomputed());
      assertEquals(1, r.stats().recomputeRequests());
      for (int i = 1; i < r.size(); i++) {
        assertTrue(r.distances()[i - 1] <= r.distances()[i]);
      }
    }
  }

  @Test
  void exactPathBatchesAndReturnsAllMatchesWhenFewerThanK() {
    float[][] data = points(N, 2);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = build(data, HnswIndex.BuildOptions.leannDefault(8))) {
      CountingRecomputer recomputer = new CountingRecomputer(new VectorRecomputer(vectors, Metric.L2));
      BitSet matches = every(2, 2 * ExactSearch.BATCH + 20);
      SearchResult r = ExactSearch.search(new RecomputeDistances(recomputer, data[7]), matches, 5);
      assertEquals(2, recomputer.calls);
      assertArrayEquals(nearest(data, data[7], matches, Metric.L2, 5), r.nodes());

      BitSet three = new BitSet();
      three.set(3);
      three.set(900);
      three.set(1499);
      SearchResult few = ShardSearch.search(index, SearchPlan.choose(index, true, 10, 32, three, null), data[0],
          recomputer, null, null);
      assertArrayEquals(new int[] {3, 900, 1499}, IntStream.of(few.nodes()).sorted().toArray());
      SearchResult none = ShardSearch.search(index, SearchPlan.choose(index, true, 10, 32, new BitSet(), null),
          data[0], recomputer, null, null);
      assertEquals(0, none.size());
    }
  }

  @Test
  void broadFilterSearchesTheGraphAndAdmitsOnlyMatches() {
    float[][] data = points(N, 3);
    try (HnswIndex index = build(data, HnswIndex.BuildOptions.withVectors())) {
      BitSet half = every(2, N);
      SearchPlan plan = SearchPlan.choose(index, false, 10, 16, half, null);
      assertFalse(plan.exactScan());
      float[] query = points(1, 98)[0];
      SearchResult r = ShardSearch.search(index, plan, query, null, null, null);
      assertEquals(10, r.size());
      for (int node : r.nodes()) {
        assertTrue(half.get(node));
      }
      int overlap = (int) Arrays.stream(nearest(data, query, half, Metric.L2, 10))
          .filter(n -> IntStream.of(r.nodes()).anyMatch(m -> m == n)).count();
      assertTrue(overlap >= 8, "graph recall " + overlap + "/10");
      assertArrayEquals(Searches.stored(index, query, 10, 16).nodes(),
          ShardSearch.search(index, SearchPlan.choose(index, false, 10, 16, every(1, N), null), query, null, null,
              null).nodes());
    }
  }

  @Test
  void cosineQueriesAreNormalisedOnTheExactPath() {
    float[][] data = points(N, 4);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.COSINE, 8, 60, 1, 4),
        HnswIndex.BuildOptions.leannDefault(8))) {
      Recomputer recomputer = new VectorRecomputer(vectors, Metric.COSINE);
      float[] query = points(1, 97)[0];
      float[] scaled = query.clone();
      for (int d = 0; d < DIMS; d++) {
        scaled[d] *= 7;
      }
      BitSet matches = every(29, N);
      SearchResult r = ShardSearch.search(index, SearchPlan.choose(index, true, 5, 32, matches, null), scaled,
          recomputer, null, null);
      float[][] unit = new float[N][];
      for (int i = 0; i < N; i++) {
        unit[i] = data[i].clone();
        VectorDistances.normalize(unit[i]);
      }
      assertArrayEquals(nearest(unit, query, matches, Metric.COSINE, 5), r.nodes());
      for (float distance : r.distances()) {
        assertTrue(distance >= -1.0001f && distance <= 1.0001f, "cosine distance " + distance);
      }
    }
  }

  @Test
  void rejectsBadArguments() {
    float[][] data = points(100, 5);
    try (HnswIndex index = build(data, HnswIndex.BuildOptions.withVectors())) {
      BitSet past = new BitSet();
      past.set(100);
      assertThrows(IllegalArgumentException.class, () -> SearchPlan.choose(index, false, 5, 16, past, null));
      assertThrows(IllegalArgumentException.class, () -> ShardSearch.search(index,
          SearchPlan.of(Scorer.STORED, 5, 16), new float[3], null, null, null));
      assertThrows(IllegalArgumentException.class, () -> SearchPlan.choose(index, false, 0, 16, null, null));
      assertThrows(IllegalArgumentException.class, () -> new SearchPlan(Scorer.PQ, 5, 16, new BitSet(), true, null));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShardSearch.search(index,
          SearchPlan.of(Scorer.RECOMPUTE, 5, 16), data[0], null, null, null));
      assertTrue(e.getMessage().contains("recomputer"), e.getMessage());
    }
  }

  /** Counts requests and ids, to check the exact path's batching. */
  private static final class CountingRecomputer implements Recomputer {
    private final Recomputer delegate;
    int calls;
    long ids;

    CountingRecomputer(Recomputer delegate) {
      this.delegate = delegate;
    }

    @Override
    public void distances(float[] query, int[] nodeIds, int count, float[] out) {
      calls++;
      ids += count;
      delegate.distances(query, nodeIds, count, out);
    }
  }
}
