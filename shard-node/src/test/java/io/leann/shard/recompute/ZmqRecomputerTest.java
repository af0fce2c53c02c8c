package io.leann.shard.recompute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.protocol.RecomputeException;
import io.leann.shard.vector.VectorDistances;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;

class ZmqRecomputerTest {
  private static final List<String> TEXTS = TextVectors.sentences(200, 3);
  /** For workers expected to fail: the tests wait this long for each. */
  private static final ZmqRecomputer.Options FAST =
      ZmqRecomputer.Options.defaults().withTimeout(Duration.ofMillis(300));
  /** For workers expected to answer: generous, since a loaded CI machine can be slow to. */
  private static final ZmqRecomputer.Options PATIENT =
      ZmqRecomputer.Options.defaults().withTimeout(Duration.ofSeconds(2));

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ZContext context = new ZContext(1);

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
    context.close();
  }

  private StubWorker worker(StubWorker.Mode mode) {
    return worker(mode, Integer.MAX_VALUE);
  }

  private StubWorker worker(StubWorker.Mode mode, int dieAfter) {
    StubWorker w = StubWorker.start(mode, dieAfter);
    toClose.add(w);
    return w;
  }

  private ZmqRecomputer recomputer(Metric metric, ZmqRecomputer.Options options, StubWorker... workers) {
    List<String> endpoints = new ArrayList<>();
    for (StubWorker w : workers) {
      endpoints.add(w.endpoint());
    }
    ZmqRecomputer r = new ZmqRecomputer(context, endpoints, TEXTS::get, metric, options);
    toClose.add(r);
    return r;
  }

  private static int[] range(int from, int to) {
    int[] ids = new int[to - from];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = from + i;
    }
    return ids;
  }

  private static float[] expected(Metric metric, float[] query, int[] ids) {
    List<String> texts = new ArrayList<>();
    for (int id : ids) {
      texts.add(TEXTS.get(id));
    }
    return StubWorker.distances(metric, query, texts);
  }

  @Test
  void distancesEqualTheWorkersComputationForEveryMetric() {
    StubWorker w = worker(StubWorker.Mode.NORMAL);
    for (Metric metric : Metric.values()) {
      ZmqRecomputer r = recomputer(metric, PATIENT, w);
      float[] query = TextVectors.vector("graph search over shards");
      if (metric.normalises()) {
        VectorDistances.normalize(query);
      }
      int[] ids = {3, 141, 0, 59, 26};
      float[] out = new float[ids.length];
      r.distances(query, ids, ids.length, out);
      assertArrayEquals(expected(metric, query, ids), out);
    }
  }

  @Test
  void theCacheEmbedsEachNodeOncePerQuery() {
    StubWorker w = worker(StubWorker.Mode.NORMAL);
    ZmqRecomputer r = recomputer(Metric.L2, PATIENT, w);
    float[] query = TextVectors.vector("cache test");
    float[] out = new float[4];
    r.distances(query, new int[] {1, 2, 3, 2}, 4, out);
    assertEquals(out[1], out[3]);
    r.distances(query, new int[] {3, 4}, 2, out);
    assertArrayEquals(expected(Metric.L2, query, new int[] {3, 4}), java.util.Arrays.copyOf(out, 2));
    ZmqRecomputer.Stats stats = r.stats();
    assertEquals(4, stats.nodesRecomputed());
    assertEquals(2, stats.cacheHits());
    assertEquals(2, stats.requests() - stats.retries());
    assertEquals(4, w.texts(), "node 2 and node 3 were embedded once each");

    r.distances(query, new int[] {1}, 1, out);
    assertEquals(4, w.texts(), "a cached node costs no request");

    float[] other = TextVectors.vector("another query");
    r.distances(other, new int[] {1}, 1, out);
    assertEquals(expected(Metric.L2, other, new int[] {1})[0], out[0]);
    other[0] += 1;
    r.distances(other, new int[] {1}, 1, out);
    assertEquals(expected(Metric.L2, other, new int[] {1})[0], out[0], "same array, new values: a new query");
    assertEquals(6, w.texts());
  }

  @Test
  void largeBatchesAreSplitAcrossWorkers() {
    StubWorker a = worker(StubWorker.Mode.NORMAL);
    StubWorker b = worker(StubWorker.Mode.NORMAL);
    ZmqRecomputer r = recomputer(Metric.INNER_PRODUCT, PATIENT.withMaxBatch(8), a, b);
    float[] query = TextVectors.vector("split me");
    int[] ids = range(0, 40);
    float[] out = new float[ids.length];
    r.distances(query, ids, ids.length, out);
    assertArrayEquals(expected(Metric.INNER_PRODUCT, query, ids), out);
    assertEquals(5, r.stats().requests());
    assertEquals(0, r.stats().retries());
    assertEquals(40, a.texts() + b.texts());
    assertTrue(a.requests() >= 2 && b.requests() >= 2, "round robin: " + a.requests() + " / " + b.requests());
  }

  @Test
  void aWorkerThatNeverAnswersFailsWithATimeoutWithinTheConfiguredTime() {
    StubWorker silent = worker(StubWorker.Mode.SILENT);
    ZmqRecomputer r = recomputer(Metric.L2, FAST, silent);
    long t0 = System.nanoTime();
    RecomputeException e = assertThrows(RecomputeException.class,
        () -> r.distances(TextVectors.vector("q"), new int[] {1, 2}, 2, new float[2]));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    // two tries of 300 ms: the second on a fresh socket
    assertTrue(millis >= 600 && millis < 3_000, "failed after " + millis + " ms");
    assertTrue(e.getMessage().contains(silent.endpoint() + ": timed out after 300 ms"), e.getMessage());
    assertTrue(e.getMessage().contains("timeout 300 ms per request, 2 tries per worker"), e.getMessage());
    ZmqRecomputer.Stats stats = r.stats();
    assertEquals(List.of(0L, 0L, 2L, 1L, 0L),
        List.of(stats.nodesRecomputed(), stats.cacheHits(), stats.requests(), stats.retries(), stats.staleReplies()));
  }

  @Test
  void whenEveryWorkerFailsTheMessageNamesEachEndpoint() {
    StubWorker silent = worker(StubWorker.Mode.SILENT);
    StubWorker failing = worker(StubWorker.Mode.FAILING);
    // The failing worker must answer within the timeout, so not FAST's 300 ms on a busy machine.
    ZmqRecomputer r = recomputer(Metric.L2, FAST.withTimeout(Duration.ofSeconds(1)), silent, failing);
    RecomputeException e = assertThrows(RecomputeException.class,
        () -> r.distances(TextVectors.vector("q"), new int[] {7}, 1, new float[1]));
    assertTrue(e.getMessage().startsWith("all 2 embed workers failed to recompute a batch of 1 nodes"), e.getMessage());
    assertTrue(e.getMessage().contains(silent.endpoint() + ": timed out after 1000 ms"), e.getMessage());
    assertTrue(e.getMessage().contains(failing.endpoint() + ": error EMBEDDING_FAILED: stub model is broken"),
        e.getMessage());
  }

  @Test
  void anErrorReplyMovesTheBatchToAnotherWorker() {
    StubWorker failing = worker(StubWorker.Mode.FAILING);
    StubWorker good = worker(StubWorker.Mode.NORMAL);
    ZmqRecomputer r = recomputer(Metric.L2, PATIENT, failing, good);
    float[] query = TextVectors.vector("retry");
    float[] out = new float[3];
    r.distances(query, new int[] {4, 5, 6}, 3, out);
    assertArrayEquals(expected(Metric.L2, query, new int[] {4, 5, 6}), out);
    assertEquals(1, r.stats().retries());
    assertEquals(1, failing.requests(), "a worker that answered with an error is not asked again");
  }

  @Test
  void repliesWithAnUnknownRequestIdAreDropped() {
    StubWorker stale = worker(StubWorker.Mode.STALE_FIRST);
    ZmqRecomputer r = recomputer(Metric.COSINE, PATIENT, stale);
    float[] query = TextVectors.vector("stale");
    VectorDistances.normalize(query);
    for (int round = 0; round < 3; round++) {
      int[] ids = range(round * 10, round * 10 + 10);
      float[] out = new float[ids.length];
      r.distances(query, ids, ids.length, out);
      assertArrayEquals(expected(Metric.COSINE, query, ids), out);
    }
    assertTrue(r.stats().staleReplies() >= 2, "stale replies seen: " + r.stats());
  }

  @Test
  void aDeadWorkerIsSkippedAfterItsFirstTimeout() {
    StubWorker dying = worker(StubWorker.Mode.NORMAL, 1);
    StubWorker good = worker(StubWorker.Mode.NORMAL);
    ZmqRecomputer.Options options = ZmqRecomputer.Options.defaults().withTimeout(Duration.ofSeconds(1))
        .withMaxBatch(4).withCooldown(Duration.ofMinutes(1));
    ZmqRecomputer r = recomputer(Metric.L2, options, dying, good);
    float[] query = TextVectors.vector("who is alive");
    int[] ids = range(0, 16);
    float[] out = new float[ids.length];
    r.distances(query, ids, ids.length, out);
    assertArrayEquals(expected(Metric.L2, query, ids), out);
    assertTrue(dying.dead());
    long retries = r.stats().retries();
    assertTrue(retries >= 1);
    int[] more = range(16, 32);
    r.distances(query, more, more.length, out);
    assertArrayEquals(expected(Metric.L2, query, more), out);
    assertEquals(retries, r.stats().retries(), "the cooling worker is not tried again");
  }

  @Test
  void aNewConnectionAnswersAPingBeforeItCarriesARequest() {
    StubWorker w = worker(StubWorker.Mode.NORMAL);
    ZmqRecomputer r = recomputer(Metric.L2, PATIENT, w);
    float[] query = TextVectors.vector("new connection");
    for (int round = 0; round < 2; round++) {
      int[] ids = range(round * 5, round * 5 + 5);
      float[] out = new float[ids.length];
      r.distances(query, ids, ids.length, out);
      assertArrayEquals(expected(Metric.L2, query, ids), out);
    }
    assertEquals(1, w.pings(), "one PING for the one connection, kept for later calls");
    assertEquals(2, w.requests());
    assertEquals(0, r.stats().deadConnections());
  }

  @Test
  void aWorkerNoConnectionReachesIsSkippedAndNamed() {
    StubWorker unreachable = worker(StubWorker.Mode.UNREACHABLE);
    StubWorker good = worker(StubWorker.Mode.NORMAL);
    // The default PING wait (1 s): a shorter one could also give up on the good worker on a busy machine.
    ZmqRecomputer.Options options = PATIENT.withCooldown(Duration.ofMinutes(1));
    ZmqRecomputer r = recomputer(Metric.L2, options, unreachable, good);
    float[] query = TextVectors.vector("who answers");
    for (int round = 0; round < 3; round++) {
      int[] ids = range(round * 4, round * 4 + 4);
      float[] out = new float[ids.length];
      r.distances(query, ids, ids.length, out);
      assertArrayEquals(expected(Metric.L2, query, ids), out);
    }
    // The recomputer counts what it gave up on; the stub may get that one PING after the test looks.
    assertEquals(1, r.stats().deadConnections(), "an unreachable worker is not tried again during its cooldown");
    assertTrue(unreachable.pings() <= 1, "at most one PING reached the unreachable worker");
    assertEquals(0, unreachable.requests());
    assertEquals(3, good.requests());

    ZmqRecomputer alone = recomputer(Metric.L2, options, unreachable);
    RecomputeException e = assertThrows(RecomputeException.class,
        () -> alone.distances(query, new int[] {1}, 1, new float[1]));
    assertTrue(e.getMessage().contains(unreachable.endpoint() + ": no answer to a PING within 1000 ms"),
        e.getMessage());
    assertEquals(0, alone.stats().requests());
  }

  @Test
  void aNodeWithoutTextIsAClearError() {
    StubWorker w = worker(StubWorker.Mode.NORMAL);
    ZmqRecomputer r = new ZmqRecomputer(context, List.of(w.endpoint()), id -> id == 9 ? null : "text",
        Metric.L2, PATIENT);
    toClose.add(r);
    RecomputeException e = assertThrows(RecomputeException.class,
        () -> r.distances(new float[TextVectors.DIMS], new int[] {8, 9}, 2, new float[2]));
    assertEquals("node 9 has no passage text to recompute its embedding from", e.getMessage());
    float[] out = new float[1];
    r.distances(new float[TextVectors.DIMS], new int[] {8}, 1, out);
    assertEquals(StubWorker.distances(Metric.L2, new float[TextVectors.DIMS], List.of("text"))[0], out[0],
        "a failed call leaves no placeholder in the cache");
  }

  @Test
  void anOwnedContextIsClosedWithTheRecomputer() {
    StubWorker w = worker(StubWorker.Mode.NORMAL);
    try (ZmqRecomputer r = ZmqRecomputer.open(List.of(w.endpoint()), TEXTS::get, Metric.L2, PATIENT)) {
      float[] out = new float[1];
      r.distances(TextVectors.vector("own context"), new int[] {0}, 1, out);
      assertEquals(1, r.stats().nodesRecomputed());
    }
  }
}
