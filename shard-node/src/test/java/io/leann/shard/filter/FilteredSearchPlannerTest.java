package io.leann.shard.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.protocol.Recomputer;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.HnswParams;
import io.leann.shard.hnsw.RecomputeDistances;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.VectorRecomputer;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.VectorDistances;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FilteredSearchPlannerTest {
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

  @Test
  void thresholdFollowsTheCostModel() {
    assertEquals(11313, FilteredSearchPlanner.exactThreshold(1_000_000, 10, 64));
    assertEquals(1600, FilteredSearchPlanner.exactThreshold(20_000, 10, 64));
    assertEquals(500, FilteredSearchPlanner.exactThreshold(0, 500, 64));
    assertEquals(FilteredSearchPlanner.Strategy.NONE, FilteredSearchPlanner.choose(0, 20_000, 10, 64));
    assertEquals(FilteredSearchPlanner.Strategy.EXACT, FilteredSearchPlanner.choose(1600, 20_000, 10, 64));
    assertEquals(FilteredSearchPlanner.Strategy.GRAPH, FilteredSearchPlanner.choose(1601, 20_000, 10, 64));
  }

  @Test
  void selectiveFilterIsScannedExactlyThroughTheRecomputer() {
    float[][] data = points(N, 1);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 8, 60, 1, 4),
        HnswIndex.BuildOptions.leannDefault(8))) {
      CountingRecomputer recomputer = new CountingRecomputer(new VectorRecomputer(vectors, Metric.L2));
      BitSet matches = every(37, N);
      int count = matches.cardinality();
      float[] query = points(1, 99)[0];
      SearchResult r = FilteredSearchPlanner.search(index, query, 10, 32, matches, recomputer);
      assertArrayEquals(nearest(data, query, matches, Metric.L2, 10), r.nodes());
      assertEquals(count, recomputer.ids, "one distance per matching row");
      assertEquals(1, recomputer.calls, "the matches fit one batch");
      assertEquals(count, r.stats().distanceComputations());
      for (int i = 1; i < r.size(); i++) {
        assertTrue(r.distances()[i - 1] <= r.distances()[i]);
      }
    }
  }

  @Test
  void exactPathBatchesAndReturnsAllMatchesWhenFewerThanK() {
    float[][] data = points(N, 2);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 8, 60, 1, 4),
        HnswIndex.BuildOptions.leannDefault(8))) {
      CountingRecomputer recomputer = new CountingRecomputer(new VectorRecomputer(vectors, Metric.L2));
      BitSet matches = every(2, 2 * FilteredSearchPlanner.EXACT_BATCH + 20);
      SearchResult r = FilteredSearchPlanner.exact(
          new RecomputeDistances(recomputer, data[7]), matches, 5);
      assertEquals(2, recomputer.calls);
      assertArrayEquals(nearest(data, data[7], matches, Metric.L2, 5), r.nodes());

      BitSet three = new BitSet();
      three.set(3);
      three.set(900);
      three.set(1499);
      SearchResult few = FilteredSearchPlanner.search(index, data[0], 10, 32, three, recomputer);
      assertArrayEquals(new int[] {3, 900, 1499}, IntStream.of(few.nodes()).sorted().toArray());
      SearchResult none = FilteredSearchPlanner.search(index, data[0], 10, 32, new BitSet(), recomputer);
      assertEquals(0, none.size());
    }
  }

  @Test
  void broadFilterSearchesTheGraphAndAdmitsOnlyMatches() {
    float[][] data = points(N, 3);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 8, 60, 1, 4),
        HnswIndex.BuildOptions.withVectors())) {
      BitSet half = every(2, N);
      assertEquals(FilteredSearchPlanner.Strategy.GRAPH, FilteredSearchPlanner.choose(half.cardinality(), N, 10, 16));
      float[] query = points(1, 98)[0];
      SearchResult r = FilteredSearchPlanner.search(index, query, 10, 16, half, null);
      assertEquals(10, r.size());
      for (int node : r.nodes()) {
        assertTrue(half.get(node));
      }
      int overlap = (int) Arrays.stream(nearest(data, query, half, Metric.L2, 10))
          .filter(n -> IntStream.of(r.nodes()).anyMatch(m -> m == n)).count();
      assertTrue(overlap >= 8, "graph recall " + overlap + "/10");
      BitSet all = new BitSet();
      all.set(0, N);
      assertArrayEquals(index.search(query, 10, 16).nodes(),
          FilteredSearchPlanner.search(index, query, 10, 16, all, null).nodes());
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
      SearchResult r = FilteredSearchPlanner.search(index, scaled, 5, 32, matches, recomputer);
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
    try (HnswIndex index = HnswIndex.build(ArrayVectors.copyOf(data, false),
        new HnswParams(Metric.L2, 8, 60, 1, 4), HnswIndex.BuildOptions.withVectors())) {
      BitSet past = new BitSet();
      past.set(100);
      assertThrows(IllegalArgumentException.class, () -> FilteredSearchPlanner.search(index, data[0], 5, 16, past, null));
      assertThrows(IllegalArgumentException.class, () -> FilteredSearchPlanner.search(index, new float[3], 5, 16, new BitSet(), null));
      assertThrows(IllegalArgumentException.class, () -> FilteredSearchPlanner.search(index, data[0], 0, 16, new BitSet(), null));
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
