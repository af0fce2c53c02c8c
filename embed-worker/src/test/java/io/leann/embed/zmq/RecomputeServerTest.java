package io.leann.embed.zmq;

import static io.leann.embed.zmq.ExpectedDistances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.embed.worker.TrigramEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.wire.LeannMsgpack;
import io.leann.protocol.wire.LeannRequest;
import io.leann.protocol.wire.NativeCodec;
import io.leann.protocol.wire.NativeFrame;
import io.leann.protocol.wire.NativeMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;

class RecomputeServerTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final ServerSettings LOOPBACK =
      ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0");
  private static final List<String> TEXTS = TestPassages.texts(30);

  @TempDir
  static Path dir;
  private static ZContext clients;
  private static PassageStore store;
  private static Fixture fixture;

  /** A pool and a server over it; stops both. */
  private record Fixture(TrigramEmbedder embedder, ActorRef<BatchCoalescer.Command> pool,
      RecomputeServer server) implements AutoCloseable {
    static Fixture start(TrigramEmbedder embedder, int poolSize, LeannBinding binding) {
      EmbedSettings settings = new EmbedSettings(poolSize, "leann.embed.blocking-dispatcher", 64,
          Duration.ofMillis(2), poolSize, Duration.ofSeconds(5), Duration.ofSeconds(5));
      ActorRef<BatchCoalescer.Command> pool = testKit.spawn(BatchCoalescer.create(embedder, settings,
          new EmbedPoolMetrics(new SimpleMeterRegistry())));
      EmbedClient client = EmbedClient.of(pool, testKit.scheduler(), embedder, settings);
      return new Fixture(embedder, pool, RecomputeServer.start(LOOPBACK, client, binding));
    }

    @Override
    public void close() {
      server.close();
      testKit.stop(pool);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    clients = new ZContext(1);
    store = TestPassages.write(dir, TEXTS);
    fixture = Fixture.start(new TrigramEmbedder(), 2, new LeannBinding(PassageTexts.byRow(store), Metric.L2));
  }

  @AfterAll
  static void stop() {
    fixture.close();
    clients.close();
    store.close();
    testKit.shutdownTestKit();
  }

  private static NativeTestClient client() {
    return new NativeTestClient(clients, fixture.server().endpoint());
  }

  @Test
  void boundPortIsReportedAndLoopbackOnly() {
    assertTrue(fixture.server().port() > 0);
    assertEquals("tcp://127.0.0.1:" + fixture.server().port(), fixture.server().endpoint());
  }

  @Test
  void nativeDistancesEqualLocallyComputedOnesForEveryMetric() {
    float[] query = TrigramEmbedder.vector("vector search about graph storage");
    List<String> texts = TEXTS.subList(0, 12);
    try (NativeTestClient c = client()) {
      long id = 100;
      for (Metric metric : Metric.values()) {
        float[] q = query.clone();
        if (metric == Metric.COSINE) {
          EngineDistances.normalise(q);
        }
        NativeFrame reply = c.call(++id, new NativeMessage.Distances(metric, q, texts));
        float[] d = assertInstanceOf(NativeMessage.DistancesReply.class, reply.message()).distances();
        assertEquals(texts.size(), d.length);
        for (int i = 0; i < texts.size(); i++) {
          assertClose(ExpectedDistances.of(metric, q, texts.get(i)), d[i], metric + " text " + i);
        }
      }
    }
  }

  @Test
  void nativeEmbedAndPing() {
    try (NativeTestClient c = client()) {
      var info = assertInstanceOf(NativeMessage.ModelInfo.class, c.call(1, new NativeMessage.Ping()).message());
      assertEquals(new NativeMessage.ModelInfo(TrigramEmbedder.MODEL_ID, TrigramEmbedder.DIMS), info);
      var reply = assertInstanceOf(NativeMessage.EmbedReply.class,
          c.call(2, new NativeMessage.Embed(List.of("alpha", "beta"))).message());
      assertArrayEquals(TrigramEmbedder.vector("alpha"), reply.vectors()[0]);
      assertArrayEquals(TrigramEmbedder.vector("beta"), reply.vectors()[1]);
      var empty = assertInstanceOf(NativeMessage.DistancesReply.class,
          c.call(3, new NativeMessage.Distances(Metric.L2, new float[TrigramEmbedder.DIMS], List.of())).message());
      assertEquals(0, empty.distances().length);
    }
  }

  @Test
  void badNativeRequestsGetErrorRepliesWithTheirRequestId() {
    try (NativeTestClient c = client()) {
      var wrongDims = assertInstanceOf(NativeMessage.Error.class,
          c.call(7, new NativeMessage.Distances(Metric.L2, new float[3], List.of("x"))).message());
      assertEquals(NativeMessage.ErrorCode.BAD_REQUEST, wrongDims.code());
      assertTrue(wrongDims.message().contains("query has 3 dimensions but test/trigram-64 produces 64"));

      var replyAsRequest = assertInstanceOf(NativeMessage.Error.class,
          c.call(8, new NativeMessage.DistancesReply(new float[1])).message());
      assertTrue(replyAsRequest.message().contains("is a reply, not a request"));

      var failed = assertInstanceOf(NativeMessage.Error.class,
          c.call(9, new NativeMessage.Embed(List.of(TrigramEmbedder.FAIL))).message());
      assertEquals(NativeMessage.ErrorCode.EMBEDDING_FAILED, failed.code());

      byte[] truncated = NativeCodec.encode(10, new NativeMessage.Embed(List.of("abc")));
      var bad = decodeError(c.callRaw(Arrays.copyOf(truncated, truncated.length - 1)));
      assertEquals(10, bad.requestId());
      assertEquals(NativeMessage.ErrorCode.BAD_REQUEST, ((NativeMessage.Error) bad.message()).code());

      byte[] future = NativeCodec.encode(11, new NativeMessage.Ping());
      future[4] = 9;
      var version = decodeError(c.callRaw(future));
      assertEquals(11, version.requestId());
      assertEquals(NativeMessage.ErrorCode.UNSUPPORTED_VERSION, ((NativeMessage.Error) version.message()).code());

      // the connection still serves well-formed requests afterwards
      assertInstanceOf(NativeMessage.ModelInfo.class, c.call(12, new NativeMessage.Ping()).message());
    }
  }

  private static NativeFrame decodeError(byte[] reply) {
    try {
      NativeFrame frame = NativeCodec.decode(reply);
      assertInstanceOf(NativeMessage.Error.class, frame.message());
      return frame;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The Python LEANN's REQ client and its msgpack shapes, from Java. */
  @Test
  void leannMsgpackOverAReqSocket() throws Exception {
    try (ReqTestClient req = new ReqTestClient(clients, fixture.server().endpoint())) {

      assertEquals(TrigramEmbedder.MODEL_ID,
          LeannMsgpack.decodeModelReply(req.call(LeannMsgpack.encode(new LeannRequest.QueryModel()))));

      float[][] vectors = LeannMsgpack.decodeTextEmbeddingsReply(
          req.call(LeannMsgpack.encode(new LeannRequest.EmbedTexts(List.of("one query", "two")))));
      assertArrayEquals(TrigramEmbedder.vector("one query"), vectors[0]);
      assertArrayEquals(TrigramEmbedder.vector("two"), vectors[1]);

      float[] q = TrigramEmbedder.vector("embedding passage");
      List<String> ids = List.of("0", "3", "29", "3");
      float[] d = LeannMsgpack.decodeDistancesReply(
          req.call(LeannMsgpack.encode(new LeannRequest.DistancesById(ids, q))));
      assertEquals(ids.size(), d.length);
      assertClose(ExpectedDistances.of(Metric.L2, q, TEXTS.get(0)), d[0], "id 0");
      assertClose(ExpectedDistances.of(Metric.L2, q, TEXTS.get(3)), d[1], "id 3");
      assertClose(ExpectedDistances.of(Metric.L2, q, TEXTS.get(29)), d[2], "id 29");
      assertEquals(d[1], d[3], "a repeated id gets the same distance");

      var emb = LeannMsgpack.decodeEmbeddingsReply(
          req.call(LeannMsgpack.encode(new LeannRequest.EmbeddingsById(List.of("7", "8", "7")))));
      assertEquals(3, emb.count());
      assertEquals(TrigramEmbedder.DIMS, emb.dims());
      assertArrayEquals(TrigramEmbedder.vector(TEXTS.get(7)),
          Arrays.copyOfRange(emb.flat(), 0, TrigramEmbedder.DIMS));
      assertArrayEquals(TrigramEmbedder.vector(TEXTS.get(8)),
          Arrays.copyOfRange(emb.flat(), TrigramEmbedder.DIMS, 2 * TrigramEmbedder.DIMS));
      assertArrayEquals(TrigramEmbedder.vector(TEXTS.get(7)),
          Arrays.copyOfRange(emb.flat(), 2 * TrigramEmbedder.DIMS, 3 * TrigramEmbedder.DIMS));

      // An id without a text (row 5 is empty, 30 is past the end, -1 and x are no rows) fails the
      // whole request with the Python server's error reply, rather than a made-up distance or vector.
      for (String missing : List.of("5", "30", "-1", "x")) {
        assertTrue(LeannMsgpack.isErrorReply(req.call(LeannMsgpack.encode(
            new LeannRequest.DistancesById(List.of("0", missing), q)))), "distance request with id " + missing);
        assertTrue(LeannMsgpack.isErrorReply(req.call(LeannMsgpack.encode(
            new LeannRequest.EmbeddingsById(List.of(missing))))), "embedding request with id " + missing);
      }
      assertTrue(LeannMsgpack.isErrorReply(req.call(LeannMsgpack.encode(
          new LeannRequest.DistancesById(List.of("0"), new float[3])))), "a query of the wrong dimensions");
      assertTrue(LeannMsgpack.isErrorReply(req.call(new byte[] {(byte) 0xc1, 1, 2})),
          "an unrecognised request still gets a reply, or REQ would hang");
      assertEquals(TrigramEmbedder.MODEL_ID,
          LeannMsgpack.decodeModelReply(req.call(LeannMsgpack.encode(new LeannRequest.QueryModel()))));
    }
  }

  @Test
  void cosineBindingNormalisesFreshEmbeddings() throws Exception {
    try (Fixture cosine = Fixture.start(new TrigramEmbedder(), 1,
        new LeannBinding(PassageTexts.byRow(store), Metric.COSINE))) {
      try (ReqTestClient req = new ReqTestClient(clients, cosine.server().endpoint())) {
        float[] q = TrigramEmbedder.vector("vector worker");
        EngineDistances.normalise(q);
        float[] d = LeannMsgpack.decodeDistancesReply(
            req.call(LeannMsgpack.encode(new LeannRequest.DistancesById(List.of("1", "2"), q))));
        assertClose(ExpectedDistances.of(Metric.COSINE, q, TEXTS.get(1)), d[0], "id 1");
        assertClose(ExpectedDistances.of(Metric.COSINE, q, TEXTS.get(2)), d[1], "id 2");
        var emb = LeannMsgpack.decodeEmbeddingsReply(
            req.call(LeannMsgpack.encode(new LeannRequest.EmbeddingsById(List.of("4")))));
        double norm = 0;
        for (float f : emb.flat()) {
          norm += f * f;
        }
        assertEquals(1.0, norm, 1e-5);
      }
    }
  }

  @Test
  void eightConcurrentClientsGetTheirOwnRepliesFromSharedBatches() throws Exception {
    try (Fixture busy = Fixture.start(new TrigramEmbedder(Duration.ofMillis(5)), 1, null)) {
      int clientCount = 8;
      int requests = 12;
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < clientCount; t++) {
        int client = t;
        threads.add(Thread.ofPlatform().start(() -> {
          try (NativeTestClient c = new NativeTestClient(clients, busy.server().endpoint())) {
            start.await();
            float[] q = TrigramEmbedder.vector("client " + client + " asks about graphs");
            for (int r = 0; r < requests; r++) {
              List<String> texts = List.of("client " + client + " request " + r + " text a",
                  "client " + client + " request " + r + " text b", "shared text " + r,
                  "client " + client + " passage " + r);
              long id = client * 1000L + r;
              NativeFrame reply = c.call(id, new NativeMessage.Distances(Metric.INNER_PRODUCT, q, texts));
              float[] d = ((NativeMessage.DistancesReply) reply.message()).distances();
              for (int i = 0; i < texts.size(); i++) {
                assertClose(ExpectedDistances.of(Metric.INNER_PRODUCT, q, texts.get(i)), d[i], "request " + id);
              }
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      start.countDown();
      for (Thread t : threads) {
        assertTrue(t.join(Duration.ofSeconds(30)), "client thread finished");
      }
      assertEquals(List.of(), failures);
      List<Integer> calls = busy.embedder().callSizes();
      assertEquals(clientCount * requests * 4, calls.stream().mapToInt(Integer::intValue).sum());
      assertTrue(calls.stream().anyMatch(n -> n > 4),
          "some model call carried more than one request's texts: " + calls);
      assertTrue(calls.size() < clientCount * requests, "fewer model calls than requests: " + calls.size());
    }
  }

  @Test
  void closeStopsPromptlyAndFreesThePort() throws Exception {
    Fixture f = Fixture.start(new TrigramEmbedder(), 1, null);
    String endpoint = f.server().endpoint();
    long t0 = System.nanoTime();
    f.close();
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 2_000, "close took too long");
    EmbedClient client = EmbedClient.of(fixture.pool(), testKit.scheduler(), fixture.embedder(),
        EmbedSettings.fromConfig(ConfigFactory.load()));
    try (RecomputeServer again = RecomputeServer.start(LOOPBACK.withEndpoint(endpoint), client);
        NativeTestClient c = new NativeTestClient(clients, endpoint)) {
      assertEquals(endpoint, again.endpoint(), "the same port could be bound again");
      assertInstanceOf(NativeMessage.ModelInfo.class, c.call(1, new NativeMessage.Ping()).message());
    }
  }

  @Test
  void bindingAnOccupiedPortFailsWithTheEndpointInTheMessage() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RecomputeServer.start(LOOPBACK.withEndpoint(fixture.server().endpoint()),
            EmbedClient.of(fixture.pool(), testKit.scheduler(), fixture.embedder(),
                EmbedSettings.fromConfig(ConfigFactory.load()))));
    assertTrue(e.getMessage().contains(fixture.server().endpoint()), e.getMessage());
  }
}
