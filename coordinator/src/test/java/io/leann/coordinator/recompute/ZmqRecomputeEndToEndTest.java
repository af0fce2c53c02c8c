package io.leann.coordinator.recompute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.build.BuildRequest;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.Progress;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.coordinator.search.LocalIndex;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.embed.zmq.RecomputeServer;
import io.leann.embed.zmq.ServerSettings;
import io.leann.protocol.Metric;
import io.leann.protocol.RecomputeException;
import io.leann.protocol.Recomputer;
import io.leann.protocol.wire.ZmqCurve;
import io.leann.shard.hnsw.ExactSearch;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.recompute.ZmqRecomputer;
import io.leann.shard.search.SearchPlan;
import io.leann.shard.search.ShardSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * LEANN's core trick end to end on real English text (the licence texts Debian ships): an index
 * searched with stored vectors and the same graph searched by recomputing every visited node's
 * embedding through real ZeroMQ embed workers running the real ONNX model; then a pruned index
 * that has no vectors at all. Workers die and hang; the search must notice and carry on.
 */
class ZmqRecomputeEndToEndTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final List<String> QUERIES = List.of(
      "patent license granted by each contributor",
      "no warranty of merchantability or fitness for a particular purpose",
      "you may convey verbatim copies of the source code",
      "redistribution in binary form must reproduce the copyright notice",
      "what happens when the license terminates",
      "distributing modified versions under the same license");

  @TempDir static Path work;
  static OnnxEmbedder embedder;
  static ZContext context;
  static RecomputeServer workerA;
  static RecomputeServer workerB;
  static ActorRef<BatchCoalescer.Command> poolA;
  static ActorRef<BatchCoalescer.Command> poolB;
  static LocalIndex stored;

  @BeforeAll
  static void setUp() throws IOException {
    embedder = OnnxEmbedder.create(2);
    context = new ZContext(1);
    EmbedSettings settings = EmbedSettings.fromConfig(ConfigFactory.load());
    ServerSettings server = ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0");
    poolA = testKit.spawn(BatchCoalescer.create(embedder, settings,
        new EmbedPoolMetrics(new SimpleMeterRegistry())));
    poolB = testKit.spawn(BatchCoalescer.create(embedder, settings,
        new EmbedPoolMetrics(new SimpleMeterRegistry())));
    workerA = RecomputeServer.start(server, EmbedClient.of(poolA, testKit.scheduler(), embedder, settings));
    workerB = RecomputeServer.start(server, EmbedClient.of(poolB, testKit.scheduler(), embedder, settings));
    stored = LocalIndex.open(build("stored", false));
  }

  @AfterAll
  static void tearDown() {
    stored.close();
    workerA.close();
    workerB.close();
    context.close();
    testKit.shutdownTestKit();
    embedder.close();
  }

  private static IndexLayout build(String name, boolean recompute) throws IOException {
    Path docs = work.resolve("docs");
    if (!Files.isDirectory(docs)) {
      Files.createDirectories(docs);
      for (String f : List.of("Apache-2.0", "BSD", "MPL-2.0")) {
        Files.copy(Path.of("/usr/share/common-licenses", f), docs.resolve(f + ".txt"));
      }
    }
    IndexLayout layout = IndexLayout.of(work.resolve("indexes"), name);
    new IndexBuilder(embedder, Progress.silent()).build(new BuildRequest(layout, List.of(docs),
        LoaderOptions.defaults(), ChunkingOptions.defaults(), "sentence-transformers", Metric.COSINE, 16, 100,
        64, 2, true, recompute, 1, false, 32, List.of()));
    return layout;
  }

  private static IntFunction<String> texts(LocalIndex index) {
    return node -> {
      try {
        return index.passages().get(index.shardFirstRow(0) + node).text();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private static float[] query(String text) {
    float[] q = embedder.embed(List.of(text))[0];
    io.leann.shard.vector.VectorDistances.normalize(q);
    return q;
  }

  private static SearchResult storedSearch(SearchableIndex graph, float[] q, int k, int ef) {
    return ShardSearch.search(graph, SearchPlan.of(SearchPlan.Scorer.STORED, k, ef), q, null, null, null);
  }

  private static SearchResult recomputeSearch(SearchableIndex graph, float[] q, int k, int ef, Recomputer recomputer) {
    return ShardSearch.search(graph, SearchPlan.of(SearchPlan.Scorer.RECOMPUTE, k, ef), q, recomputer, null, null);
  }

  /** Same nodes, except that neighbours whose distances tie within worker rounding may swap. */
  private static void assertSameTop(SearchResult a, SearchResult b) {
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      if (a.nodes()[i] != b.nodes()[i]) {
        assertEquals(a.distances()[i], b.distances()[i], 1e-4, "rank " + i + " differs beyond a tie");
      }
    }
  }

  @Test
  void recomputeThroughZmqWorkersReturnsTheStoredVectorTopTen() {
    SearchableIndex graph = stored.shardGraph(0);
    try (ZmqRecomputer recomputer = new ZmqRecomputer(context,
        List.of(workerA.endpoint(), workerB.endpoint()), texts(stored), Metric.COSINE,
        ZmqRecomputer.Options.defaults())) {
      long before = 0;
      for (String text : QUERIES) {
        float[] q = query(text);
        SearchResult fromVectors = storedSearch(graph, q, 10, 64);
        SearchResult fromWorkers = recomputeSearch(graph, q, 10, 64, recomputer);
        assertSameTop(fromVectors, fromWorkers);
        long recomputed = recomputer.stats().nodesRecomputed() - before;
        before = recomputer.stats().nodesRecomputed();
        assertTrue(recomputed > 0 && recomputed <= fromWorkers.stats().distanceComputations(),
            "recomputed " + recomputed + " of " + fromWorkers.stats().distanceComputations() + " distances");
      }
    }
  }

  /** A CURVE worker serves the shard's client key and no other; the recomputer uses the configured keys. */
  @Test
  void aCurveWorkerServesTheAllowedShardKeyOnly() {
    ZMQ.Curve.KeyPair worker = ZMQ.Curve.generateKeyPair();
    ZMQ.Curve.KeyPair shard = ZMQ.Curve.generateKeyPair();
    ZMQ.Curve.KeyPair stranger = ZMQ.Curve.generateKeyPair();
    ServerSettings server = ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0")
        .withCurve(new ServerSettings.Curve(worker.secretKey, Set.of(shard.publicKey)));
    SearchableIndex graph = stored.shardGraph(0);
    float[] q = query(QUERIES.get(2));
    try (RecomputeServer curve = RecomputeServer.start(server, EmbedClient.of(poolA, testKit.scheduler(), embedder,
        EmbedSettings.fromConfig(ConfigFactory.load())))) {
      ZmqRecomputer.Options options = ZmqRecomputer.Options.defaults().withTimeout(Duration.ofSeconds(2));
      try (ZmqRecomputer allowed = new ZmqRecomputer(context, List.of(curve.endpoint()), texts(stored), Metric.COSINE,
          options.withCurve(new ZmqCurve.ClientKeys(worker.publicKey, shard.publicKey, shard.secretKey)))) {
        assertSameTop(storedSearch(graph, q, 10, 64), recomputeSearch(graph, q, 10, 64, allowed));
      }
      try (ZmqRecomputer refused = new ZmqRecomputer(context, List.of(curve.endpoint()), texts(stored), Metric.COSINE,
          options.withCurve(new ZmqCurve.ClientKeys(worker.publicKey, stranger.publicKey, stranger.secretKey)))) {
        RecomputeException e = assertThrows(RecomputeException.class, () -> recomputeSearch(graph, q, 10, 64, refused));
        assertTrue(e.getMessage().contains("no answer to a PING"), e.getMessage());
        assertFalse(e.getMessage().contains(stranger.secretKey), "no key in the message");
      }
    }
  }

  @Test
  void aWorkerKilledMidQueryIsRetriedOnTheOther() throws IOException {
    ServerSettings server = ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0");
    EmbedSettings settings = EmbedSettings.fromConfig(ConfigFactory.load());
    RecomputeServer doomed = RecomputeServer.start(server,
        EmbedClient.of(poolA, testKit.scheduler(), embedder, settings));
    SearchableIndex graph = stored.shardGraph(0);
    float[] q = query(QUERIES.get(0));
    SearchResult expected = storedSearch(graph, q, 10, 64);
    try (ZmqRecomputer zmq = new ZmqRecomputer(context, List.of(doomed.endpoint(), workerB.endpoint()),
        texts(stored), Metric.COSINE, ZmqRecomputer.Options.defaults().withTimeout(Duration.ofSeconds(2)))) {
      Recomputer killing = new Recomputer() {
        int calls;

        @Override
        public void distances(float[] query, int[] ids, int count, float[] out) {
          if (++calls == 3) {
            doomed.close(); // the worker process goes away between two batches of one search
          }
          zmq.distances(query, ids, count, out);
        }
      };
      SearchResult r = recomputeSearch(graph, q, 10, 64, killing);
      assertSameTop(expected, r);
    } finally {
      doomed.close();
    }
  }

  @Test
  void aWorkerThatNeverAnswersFailsWithATimeout() {
    try (ZMQ.Socket silent = context.createSocket(SocketType.ROUTER)) {
      int port = silent.bindToRandomPort("tcp://127.0.0.1");
      String endpoint = "tcp://127.0.0.1:" + port;
      try (ZmqRecomputer recomputer = new ZmqRecomputer(context, List.of(endpoint), texts(stored),
          Metric.COSINE, ZmqRecomputer.Options.defaults().withTimeout(Duration.ofMillis(500)))) {
        long start = System.nanoTime();
        RecomputeException e = assertThrows(RecomputeException.class,
            () -> recomputeSearch(stored.shardGraph(0), query(QUERIES.get(1)), 10, 32, recomputer));
        assertTrue(e.getMessage().contains(endpoint) && e.getMessage().toLowerCase().contains("time"),
            e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "gave up in bounded time");
      }
    }
  }

  @Test
  void prunedIndexWithoutVectorsFindsTheExactNeighboursThroughWorkers() throws IOException {
    try (LocalIndex pruned = LocalIndex.open(build("pruned", true))) {
      HnswIndex graph = (HnswIndex) pruned.shardGraph(0);
      assertTrue(!graph.hasVectors() && graph.pruned());
      var exactVectors = stored.shardGraph(0);
      long hits = 0;
      StringBuilder misses = new StringBuilder();
      try (ZmqRecomputer recomputer = new ZmqRecomputer(context,
          List.of(workerA.endpoint(), workerB.endpoint()), texts(pruned), Metric.COSINE,
          ZmqRecomputer.Options.defaults())) {
        for (String text : QUERIES) {
          float[] q = query(text);
          SearchResult exact = ExactSearch.search(exactVectors.vectors(), exactVectors.metric(), q, 10);
          SearchResult found = recomputeSearch(graph, q, 10, 64, recomputer);
          // A result counts if it is as close as the 10th true neighbour: equal passages tie.
          float tenth = exact.distances()[exact.size() - 1];
          for (int i = 0; i < found.size(); i++) {
            if (found.distances()[i] <= tenth + 1e-5f) {
              hits++;
            } else {
              misses.append(String.format(java.util.Locale.ROOT, "%n'%s': rank %d node %d at %.5f, 10th exact %.5f",
                  text, i, found.nodes()[i], found.distances()[i], tenth));
            }
          }
        }
      }
      double recall = hits / (10.0 * QUERIES.size());
      assertTrue(recall >= 0.9, "recall@10 of the pruned index through workers: " + recall + misses);
    }
  }
}
