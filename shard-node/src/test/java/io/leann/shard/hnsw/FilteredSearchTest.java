package io.leann.shard.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.shard.search.Searches;
import io.leann.shard.vector.ArrayVectors;
import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntPredicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilteredSearchTest {
  /** A filter matching one node in {@code every}: from half the nodes down to 1 in 200. */
  @ParameterizedTest
  @ValueSource(ints = {2, 10, 50, 200})
  void filteredSearchReturnsKMatchesAndFindsTheNearestOfThem(int every) {
    float[][] data = TestData.clustered(4000, 24, 20, 9);
    float[][] queries = Arrays.copyOfRange(TestData.clustered(4020, 24, 20, 9), 4000, 4020);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    IntPredicate accept = node -> node % every == 0;
    int matching = (4000 + every - 1) / every;
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 16, 100, 2, 9),
        HnswIndex.BuildOptions.withVectors())) {
      long hits = 0;
      for (float[] q : queries) {
        SearchResult r = Searches.walkFiltered(index, q, 10, 64, bits(accept, 4000), null);
        assertEquals(Math.min(10, matching), r.size(), "filter 1/" + every);
        for (int node : r.nodes()) {
          assertTrue(accept.test(node));
        }
        SearchResult exact = exactFiltered(vectors, q, accept, 10);
        hits += TestData.overlap(exact.nodes(), r.nodes());
      }
      double recall = hits / (double) (queries.length * Math.min(10, matching));
      assertTrue(recall >= 0.95, "filtered recall " + recall + " for 1/" + every);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void filterMatchingFewerThanKReturnsAllMatches(int matches) {
    float[][] data = TestData.clustered(2000, 16, 10, 4);
    ArrayVectors vectors = ArrayVectors.copyOf(data, false);
    try (HnswIndex index = HnswIndex.build(vectors, new HnswParams(Metric.L2, 8, 60, 1, 4),
        HnswIndex.BuildOptions.leannDefault(8))) {
      IntPredicate accept = node -> node < matches;
      SearchResult r = Searches.walkFiltered(index, data[1500], 10, 32, bits(accept, 2000),
          new VectorRecomputer(vectors, Metric.L2));
      int[] sorted = r.nodes().clone();
      Arrays.sort(sorted);
      int[] expected = new int[matches];
      Arrays.setAll(expected, i -> i);
      assertArrayEquals(expected, sorted);
    }
  }

  private static BitSet bits(IntPredicate accept, int size) {
    BitSet bits = new BitSet(size);
    for (int i = 0; i < size; i++) {
      bits.set(i, accept.test(i));
    }
    return bits;
  }

  private static SearchResult exactFiltered(ArrayVectors vectors, float[] q, IntPredicate accept, int k) {
    NeighborQueue best = new NeighborQueue(k + 1, true);
    for (int i = 0; i < vectors.size(); i++) {
      if (accept.test(i)) {
        best.insertWithOverflow(i, vectors.squaredL2(q, i), k);
      }
    }
    return SearchResult.fromMaxQueue(best, k, new SearchStats(0, 0, 0));
  }
}
