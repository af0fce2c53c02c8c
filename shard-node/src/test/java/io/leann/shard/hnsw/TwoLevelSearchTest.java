package io.leann.shard.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.protocol.index.GraphFileWriter;
import io.leann.protocol.index.GraphHeader;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexFormatException;
import io.leann.shard.pq.PqParams;
import io.leann.shard.search.SearchPlan;
import io.leann.shard.search.Searches;
import io.leann.shard.search.ShardSearch;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwoLevelSearchTest {
  private static final int N = 3000;
  private static final int DIMS = 32;
  private static final float[][] DATA = TestData.clustered(N, DIMS, 20, 31);
  private static final float[][] QUERIES = Arrays.copyOfRange(TestData.clustered(N + 40, DIMS, 20, 31), N, N + 40);
  /** The embeddings a recompute returns: the rows, unit length for cosine. */
  private static final ArrayVectors UNIT = ArrayVectors.copyOf(DATA, true);

  @TempDir Path dir;

  /** Returns the rows as a model would recompute them, counting calls and nodes. */
  private static final class CountingEmbedder implements NodeEmbedder {
    long nodes;
    long calls;

    @Override
    public float[][] embeddings(int[] ids, int count) {
      calls++;
      nodes += count;
      float[][] out = new float[count][];
      for (int i = 0; i < count; i++) {
        // Not unit length on purpose: the search normalises what a model returns, as for cosine it must.
        out[i] = DATA[ids[i]].clone();
      }
      return out;
    }
  }

  private static HnswIndex build(double hubBudget) {
    return HnswIndex.build(ArrayVectors.copyOf(DATA, false), new HnswParams(Metric.COSINE, 16, 100, 2, 9),
        HnswIndex.BuildOptions.leannDefault(16).withPq(new PqParams(16, 8, 3000, 10, 1), hubBudget));
  }

  private static java.util.BitSet even() {
    java.util.BitSet bits = new java.util.BitSet(N);
    for (int i = 0; i < N; i += 2) {
      bits.set(i);
    }
    return bits;
  }

  private static float[] unit(float[] q) {
    float[] c = q.clone();
    VectorDistances.normalize(c);
    return c;
  }

  @Test
  void aBudgetCoveringEveryCandidateGivesTheExactTopK() {
    try (HnswIndex index = build(0)) {
      CountingEmbedder embedder = new CountingEmbedder();
      for (float[] q : QUERIES) {
        SearchResult exact = ExactSearch.search(UNIT, Metric.COSINE, unit(q), 10);
        // A beam as wide as the graph walks to every node; no budget ranks them all exactly.
        SearchResult r = Searches.twoLevel(index, q, 10, 10, null, embedder, null, new TwoLevelOptions(0, 0, 0, N));
        TestData.assertSameUpToTies(exact, r);
        assertEquals(N, r.stats().exact());
      }
    }
  }

  @Test
  void theBudgetBoundsRecomputesWhileRecallStaysHigh() {
    try (HnswIndex index = build(0)) {
      CountingEmbedder embedder = new CountingEmbedder();
      int found = 0;
      for (float[] q : QUERIES) {
        long before = embedder.nodes;
        SearchResult r = Searches.twoLevel(index, q, 10, 10, null, embedder, null, new TwoLevelOptions(60, 0, 16, 200));
        assertTrue(embedder.nodes - before <= 60, "recomputed " + (embedder.nodes - before));
        assertEquals(embedder.nodes - before, r.stats().recomputed());
        assertTrue(r.stats().approximate() > 60, "the walk ran on PQ distances: " + r.stats());
        assertEquals(4, r.stats().recomputeRequests(), "60 recomputes in requests of 16");
        int[] truth = ExactSearch.search(UNIT, Metric.COSINE, unit(q), 10).nodes();
        for (int node : r.nodes()) {
          found += Arrays.stream(truth).anyMatch(t -> t == node) ? 1 : 0;
        }
        for (int i = 1; i < r.size(); i++) {
          assertTrue(r.distances()[i - 1] <= r.distances()[i], "ordered by exact distance");
        }
        assertEquals(-UNIT.dot(unit(q), r.nodes()[0]), r.distances()[0], 1e-6f, "exact, not PQ, distances");
      }
      assertTrue(found >= 0.9 * 10 * QUERIES.length, "recall@10 " + found / (10.0 * QUERIES.length));
    }
  }

  @Test
  void pruneRatioDropsTheFarthestCandidatesAndFiltersApplyDuringTheWalk() {
    try (HnswIndex index = build(0)) {
      CountingEmbedder embedder = new CountingEmbedder();
      SearchResult all = Searches.twoLevel(index, QUERIES[0], 5, 100, null, embedder, null, new TwoLevelOptions(0, 0, 0, 0));
      SearchResult half = Searches.twoLevel(index, QUERIES[0], 5, 100, null, embedder, null, new TwoLevelOptions(0, 0.5, 0, 0));
      assertEquals(100, all.stats().exact());
      assertEquals(50, half.stats().exact());
      SearchResult even = Searches.twoLevel(index, QUERIES[0], 5, 100, even(), embedder, null,
          TwoLevelOptions.defaults());
      assertEquals(5, even.size());
      assertTrue(Arrays.stream(even.nodes()).allMatch(n -> n % 2 == 0), Arrays.toString(even.nodes()));
    }
  }

  @Test
  void hubAndCacheHitsGiveTheDistancesARecomputeGives() {
    try (HnswIndex index = build(0.05)) {
      HubVectors hubs = index.hubs();
      assertEquals((int) (0.05 * N * DIMS * 4) / (DIMS * 4 + 4), hubs.size());
      float[] q = unit(QUERIES[3]);
      int checked = 0;
      for (int node = 0; node < N; node++) {
        int slot = hubs.slot(node);
        if (slot >= 0) {
          float[] recomputed = unit(DATA[node]);
          assertEquals(-VectorDistances.dot(q, recomputed), hubs.distance(q, slot, Similarity.NEGATED_DOT), 0f);
          checked++;
        }
      }
      assertEquals(hubs.size(), checked);

      EmbeddingCache<Integer> cache = new EmbeddingCache<>(1 << 20);
      CountingEmbedder embedder = new CountingEmbedder();
      TwoLevelOptions options = new TwoLevelOptions(60, 0, 0, 100);
      SearchResult cold = Searches.twoLevel(index, QUERIES[3], 10, 10, null, embedder, cache, options);
      SearchResult uncached = Searches.twoLevel(index, QUERIES[3], 10, 10, null, embedder, null, options);
      long before = embedder.nodes;
      SearchResult warm = Searches.twoLevel(index, QUERIES[3], 10, 10, null, embedder, cache, options);
      assertEquals(before, embedder.nodes, "every exact distance came from the cache or the hubs");
      assertEquals(cold.stats().recomputed(), warm.stats().cacheHits(), warm.stats().toString());
      assertTrue(warm.stats().hubHits() > 0, warm.stats().toString());
      assertEquals(0, warm.stats().recomputed());
      assertEquals(cold.stats().exact(), warm.stats().exact());
      assertArrayEquals(cold.nodes(), warm.nodes());
      assertArrayEquals(cold.distances(), warm.distances());
      assertArrayEquals(uncached.nodes(), warm.nodes());
      assertArrayEquals(uncached.distances(), warm.distances());
    }
  }

  @Test
  void pqAndHubSectionsRoundTripThroughTheFile() throws IOException {
    Path file = dir.resolve("two-level.index");
    CountingEmbedder embedder = new CountingEmbedder();
    try (HnswIndex built = build(0.02)) {
      built.save(file);
      try (HnswIndex loaded = HnswIndex.load(file)) {
        assertTrue(loaded.pq() != null && !loaded.hasVectors() && loaded.graph().packed());
        assertEquals(built.pq().quantizer().codeBytes(), loaded.pq().quantizer().codeBytes());
        assertArrayEquals(built.pq().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
            loaded.pq().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        assertEquals(built.hubs().size(), loaded.hubs().size());
        assertEquals(built.byteSize(), loaded.byteSize());
        for (float[] q : QUERIES) {
          SearchResult a = Searches.twoLevel(built, q, 10, 20, null, embedder, null, TwoLevelOptions.defaults());
          SearchResult b = Searches.twoLevel(loaded, q, 10, 20, null, embedder, null, TwoLevelOptions.defaults());
          assertArrayEquals(a.nodes(), b.nodes());
          assertArrayEquals(a.distances(), b.distances());
        }
      }
      // Sections that pass their checksums but disagree with each other are refused by name.
      Map<GraphSection, MemorySegment> sections = built.graph().sections();
      sections.put(GraphSection.PQ_CODEBOOKS, built.pq().quantizer().toSegment());
      sections.put(GraphSection.PQ_CODES, built.pq().segment().asSlice(0, built.pq().byteSize() - 1));
      GraphHeader header = new GraphHeader(Metric.COSINE, DIMS, N, 16, 32, built.graph().entryPoint(),
          built.graph().maxLevel(), GraphHeader.COMPACT | GraphHeader.PRUNED | GraphHeader.PACKED);
      Path bad = dir.resolve("bad.index");
      GraphFileWriter.write(bad, header, sections);
      IndexFormatException e = assertThrows(IndexFormatException.class, () -> HnswIndex.load(bad));
      assertTrue(e.getMessage().contains("PQ code section has"), e.getMessage());
      sections.remove(GraphSection.PQ_CODES);
      GraphFileWriter.write(bad, header, sections);
      e = assertThrows(IndexFormatException.class, () -> HnswIndex.load(bad));
      assertTrue(e.getMessage().contains("must come together"), e.getMessage());
    }
  }

  @Test
  void withoutARecomputerAPrunedIndexAnswersFromItsPqCodesAlone() {
    try (HnswIndex index = build(0)) {
      int found = 0;
      for (float[] q : QUERIES) {
        SearchPlan plan = SearchPlan.choose(index, false, 10, 64, null, null);
        assertEquals(SearchPlan.Scorer.PQ, plan.scorer());
        SearchResult r = ShardSearch.search(index, plan, q, null, null, null);
        assertEquals(10, r.size());
        assertEquals(0, r.stats().recomputed());
        assertEquals(0, r.stats().exact());
        assertTrue(r.stats().approximate() > 0);
        int[] truth = ExactSearch.search(UNIT, Metric.COSINE, unit(q), 10).nodes();
        for (int node : r.nodes()) {
          found += Arrays.stream(truth).anyMatch(t -> t == node) ? 1 : 0;
        }
      }
      // Ranked by PQ alone: rough within these tight clusters (the two-level search reaches 0.9 here).
      assertTrue(found >= 0.45 * 10 * QUERIES.length, "recall@10 " + found / (10.0 * QUERIES.length));
      java.util.BitSet none = new java.util.BitSet();
      assertEquals(0, ShardSearch.search(index, SearchPlan.choose(index, false, 5, 64, none, null), QUERIES[0],
          null, null, null).size());
    }
  }

  @Test
  void anIndexWithoutPqSaysHowToGetTwoLevelSearch() {
    try (HnswIndex index = HnswIndex.build(ArrayVectors.copyOf(DATA, false), new HnswParams(Metric.COSINE, 16, 100, 2, 9),
        HnswIndex.BuildOptions.leannDefault(16))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Searches.twoLevel(index, QUERIES[0],
          5, 10, null, new CountingEmbedder(), null, TwoLevelOptions.defaults()));
      assertTrue(e.getMessage().contains("PQ"), e.getMessage());
    }
  }

  @Test
  void theEarlyStopRecomputesLessAndKeepsNearlyAllOfTheFullBudgetsTopK() {
    try (HnswIndex index = build(0)) {
      long stopped = 0;
      long full = 0;
      int kept = 0;
      for (float[] q : QUERIES) {
        CountingEmbedder all = new CountingEmbedder();
        SearchResult whole = Searches.twoLevel(index, q, 5, 10, null, all, null, new TwoLevelOptions(100, 0, 0, 1024));
        CountingEmbedder some = new CountingEmbedder();
        SearchResult early = Searches.twoLevel(index, q, 5, 10, null, some, null,
            new TwoLevelOptions(100, 0, 0, 1024, 2));
        assertEquals(some.nodes, early.stats().recomputed());
        assertTrue(some.nodes >= 8 && some.nodes <= 100, early.stats().toString());
        assertEquals((some.nodes + 7) / 8, some.calls, "requests of 8");
        for (int i = 1; i < early.size(); i++) {
          assertTrue(early.distances()[i - 1] <= early.distances()[i], "ordered by exact distance");
        }
        for (int node : early.nodes()) {
          kept += Arrays.stream(whole.nodes()).anyMatch(t -> t == node) ? 1 : 0;
        }
        stopped += some.nodes;
        full += all.nodes;
      }
      assertTrue(stopped < full * 3 / 4, "stopped early: " + stopped + " of " + full + " recomputes");
      assertTrue(kept >= 0.95 * 5 * QUERIES.length, kept + " of the full budget's top-5 kept");
    }
  }
}
