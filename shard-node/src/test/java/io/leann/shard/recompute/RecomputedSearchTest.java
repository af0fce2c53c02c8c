package io.leann.shard.recompute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.HnswParams;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.VectorRecomputer;
import io.leann.shard.search.Searches;
import io.leann.shard.vector.ArrayVectors;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;

/**
 * An index built the LEANN way (pruned, no stored vectors) and searched through ZMQ workers finds
 * exactly what a search of the same graph with the stored vectors finds, also when a worker dies
 * mid-search. The reference search reads the vectors in-process through {@link VectorRecomputer},
 * which {@code RecomputeAndPruneTest} shows to equal stored-vector mode, so both walk the very same
 * graph (two builds of the same data are not guaranteed to produce identical graphs).
 */
class RecomputedSearchTest {
  private static final int M = 16;
  private static final int K = 10;
  private static final int EF = 40;
  private static final List<String> TEXTS = TextVectors.sentences(1200, 11);
  private static final List<String> QUERIES = TextVectors.sentences(15, 99);
  /**
   * A timeout long enough for a loaded CI machine (the dead-worker test waits for it once) and a
   * cooldown longer than any test, so a dead worker is passed over for the rest of it.
   */
  private static final ZmqRecomputer.Options OPTIONS =
      ZmqRecomputer.Options.defaults().withTimeout(Duration.ofSeconds(1)).withCooldown(Duration.ofMinutes(1));

  /** A LEANN-style index and its vectors (normalised by the build for cosine). */
  private record Built(HnswIndex index, ArrayVectors vectors, Metric metric) implements AutoCloseable {
    static Built of(Metric metric) {
      float[][] raw = TEXTS.stream().map(TextVectors::vector).toArray(float[][]::new);
      ArrayVectors vectors = ArrayVectors.copyOf(raw, false);
      HnswIndex index = HnswIndex.build(vectors, new HnswParams(metric, M, 100, 1, 7),
          HnswIndex.BuildOptions.leannDefault(M));
      assertFalse(index.hasVectors());
      return new Built(index, vectors, metric);
    }

    SearchResult stored(float[] query) {
      return Searches.recomputed(index, query, K, EF, new VectorRecomputer(vectors, metric));
    }

    SearchResult recomputed(float[] query, ZmqRecomputer recomputer) {
      return Searches.recomputed(index, query, K, EF, recomputer);
    }

    @Override
    public void close() {
      index.close();
    }
  }

  private static void assertSameResult(SearchResult stored, SearchResult recomputed, String what) {
    assertArrayEquals(stored.nodes(), recomputed.nodes(), what);
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(stored.distances()[i], recomputed.distances()[i], 1e-4f, what + " rank " + i);
    }
  }

  @Test
  void recomputedSearchEqualsStoredVectorSearchForCosineAndL2() {
    for (Metric metric : List.of(Metric.COSINE, Metric.L2)) {
      try (Built idx = Built.of(metric);
          StubWorker a = StubWorker.start(StubWorker.Mode.NORMAL);
          StubWorker b = StubWorker.start(StubWorker.Mode.NORMAL);
          ZContext ctx = new ZContext(1);
          ZmqRecomputer recomputer = new ZmqRecomputer(ctx, List.of(a.endpoint(), b.endpoint()),
              TEXTS::get, metric, OPTIONS)) {
        long evaluated = 0;
        for (String q : QUERIES) {
          float[] query = TextVectors.vector(q);
          SearchResult stored = idx.stored(query);
          SearchResult recomputed = idx.recomputed(query, recomputer);
          assertEquals(K, recomputed.size());
          assertSameResult(stored, recomputed, metric + " query \"" + q + "\"");
          evaluated += recomputed.stats().distanceComputations();
        }
        ZmqRecomputer.Stats stats = recomputer.stats();
        assertEquals(evaluated, stats.nodesRecomputed() + stats.cacheHits());
        assertTrue(stats.nodesRecomputed() < (long) QUERIES.size() * TEXTS.size() / 3,
            "recompute touched a fraction of the nodes: " + stats);
        if (stats.retries() == 0) {
          // A retry (a connection JeroMQ failed to set up) cools that worker down for the test.
          assertTrue(a.requests() > 0 && b.requests() > 0, "both workers served: " + a.requests() + " / " + b.requests());
        }
      }
    }
  }

  @Test
  void repeatingASearchWithTheSameQueryIsServedFromTheCache() {
    try (Built idx = Built.of(Metric.L2);
        StubWorker w = StubWorker.start(StubWorker.Mode.NORMAL);
        ZmqRecomputer recomputer = ZmqRecomputer.open(List.of(w.endpoint()), TEXTS::get, Metric.L2, OPTIONS)) {
      float[] query = TextVectors.vector(QUERIES.getFirst());
      SearchResult first = idx.recomputed(query, recomputer);
      long requests = recomputer.stats().requests();
      SearchResult again = idx.recomputed(query, recomputer);
      assertSameResult(first, again, "repeat");
      assertEquals(requests, recomputer.stats().requests(), "no node embedded twice for one query");
    }
  }

  @Test
  void aWorkerKilledMidSearchIsReplacedAndTheResultIsUnchanged() {
    try (Built idx = Built.of(Metric.COSINE);
        StubWorker dying = StubWorker.start(StubWorker.Mode.NORMAL, 3);
        StubWorker survivor = StubWorker.start(StubWorker.Mode.NORMAL);
        ZmqRecomputer recomputer = ZmqRecomputer.open(List.of(dying.endpoint(), survivor.endpoint()),
            TEXTS::get, Metric.COSINE, OPTIONS)) {
      // Search until the first worker has died mid-search; every result must be unchanged.
      for (String q : QUERIES) {
        float[] query = TextVectors.vector(q);
        assertSameResult(idx.stored(query), idx.recomputed(query, recomputer), q);
      }
      assertTrue(dying.dead(), "the first worker served its 3 requests");
      assertEquals(3, dying.requests());
      assertTrue(recomputer.stats().retries() >= 1, "the batch sent to the dead worker was retried");
    }
  }
}
