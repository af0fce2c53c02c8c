package io.leann.embed.zmq;

import static io.leann.embed.zmq.ExpectedDistances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import io.leann.protocol.wire.RequestLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Hostile frames of issue 13 against a real server on 127.0.0.1, round after round, interleaved
 * with good requests: every good one is answered correctly, every hostile one gets its protocol's
 * error reply (or, over the message size, its connection dropped, after which the next good request
 * still works), and the heap the server keeps does not grow. The old server answered the first
 * frame below with 1.92 GB (384-d) and ran out of memory on the second.
 *
 * <p>The server runs the default id, text and text-size caps, and smaller message and reply caps
 * so that both are reached by frames cheap enough to send every round.
 */
class RecomputeServerSoakTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final int ROUNDS = 3;
  private static final long MAX_MESSAGE_BYTES = 4L << 20;
  private static final long MAX_REPLY_BYTES = 1L << 20;
  /** Far below the old behaviour (gigabytes for one request), far above noise. */
  private static final long HEAP_GROWTH_BOUND = 64L << 20;
  private static final List<String> TEXTS = TestPassages.texts(100);

  @TempDir
  static Path dir;
  private static ZContext clients;
  private static PassageStore store;
  private static ActorRef<BatchCoalescer.Command> pool;
  private static RecomputeServer server;
  private static RequestLimits limits;

  @BeforeAll
  static void start() throws IOException {
    clients = new ZContext(1);
    store = TestPassages.write(dir, TEXTS);
    TrigramEmbedder embedder = new TrigramEmbedder();
    EmbedSettings settings = EmbedSettings.fromConfig(ConfigFactory.load());
    pool = testKit.spawn(BatchCoalescer.create(embedder, settings, new EmbedPoolMetrics(new SimpleMeterRegistry())));
    ServerSettings defaults = ServerSettings.fromConfig(ConfigFactory.load());
    limits = defaults.limits();
    ServerSettings small = new ServerSettings("tcp://127.0.0.1:0", defaults.pollInterval(), MAX_MESSAGE_BYTES,
        limits, MAX_REPLY_BYTES, null);
    server = RecomputeServer.start(small, EmbedClient.of(pool, testKit.scheduler(), embedder, settings),
        new LeannBinding(PassageTexts.byRow(store), Metric.L2));
  }

  @AfterAll
  static void stop() {
    server.close();
    testKit.stop(pool);
    clients.close();
    store.close();
    testKit.shutdownTestKit();
  }

  @Test
  void hostileFramesGetErrorsGoodOnesAnswersAndTheHeapStaysBounded() throws Exception {
    Map<String, byte[]> hostileMsgpack = hostileMsgpackFrames();
    Map<String, byte[]> hostileNative = hostileNativeFrames();
    try (ReqTestClient req = new ReqTestClient(clients, server.endpoint());
        NativeTestClient dealer = new NativeTestClient(clients, server.endpoint())) {
      round(req, dealer, hostileMsgpack, hostileNative, 0);
      long before = usedHeapAfterGc();
      for (int r = 1; r <= ROUNDS; r++) {
        round(req, dealer, hostileMsgpack, hostileNative, r);
      }
      long growth = usedHeapAfterGc() - before;
      assertTrue(growth < HEAP_GROWTH_BOUND, "heap grew by " + growth + " bytes over " + ROUNDS + " rounds");
    }
  }

  private static void round(ReqTestClient req, NativeTestClient dealer, Map<String, byte[]> hostileMsgpack,
      Map<String, byte[]> hostileNative, int round) {
    for (Map.Entry<String, byte[]> hostile : hostileMsgpack.entrySet()) {
      assertTrue(LeannMsgpack.isErrorReply(req.call(hostile.getValue())),
          "round " + round + ": " + hostile.getKey() + " gets the error reply");
      goodMsgpack(req, round);
    }
    for (Map.Entry<String, byte[]> hostile : hostileNative.entrySet()) {
      NativeFrame reply = decode(dealer.callRaw(hostile.getValue()));
      var error = assertInstanceOf(NativeMessage.Error.class, reply.message(), round + ": " + hostile.getKey());
      assertEquals(NativeMessage.ErrorCode.BAD_REQUEST, error.code(), hostile.getKey() + ": " + error.message());
      goodNative(dealer, round);
    }
    repeatedIdsAreAnsweredOnceEach(req);
    oversizedMessageDropsOnlyItsConnection(round);
    goodMsgpack(req, round);
  }

  /** Distances and a text embedding, checked against values computed here. */
  private static void goodMsgpack(ReqTestClient req, int round) {
    float[] q = TrigramEmbedder.vector("graph storage round " + round);
    List<String> ids = List.of("0", "17", "99");
    float[] d = decodeDistances(req.call(LeannMsgpack.encode(new LeannRequest.DistancesById(ids, q))));
    assertEquals(3, d.length);
    for (int i = 0; i < ids.size(); i++) {
      assertClose(ExpectedDistances.of(Metric.L2, q, TEXTS.get(Integer.parseInt(ids.get(i)))), d[i], "id " + ids.get(i));
    }
  }

  private static void goodNative(NativeTestClient dealer, int round) {
    float[] q = TrigramEmbedder.vector("vector search " + round);
    List<String> texts = List.of("a passage about graphs", "another about pruning " + round);
    NativeFrame reply = dealer.call(1000L + round, new NativeMessage.Distances(Metric.INNER_PRODUCT, q, texts));
    float[] d = assertInstanceOf(NativeMessage.DistancesReply.class, reply.message()).distances();
    for (int i = 0; i < texts.size(); i++) {
      assertClose(ExpectedDistances.of(Metric.INNER_PRODUCT, q, texts.get(i)), d[i], "text " + i);
    }
  }

  /** 20,000 ids over 99 passages: within max-ids, answered in full, each passage embedded once. */
  private static void repeatedIdsAreAnsweredOnceEach(ReqTestClient req) {
    List<String> ids = new ArrayList<>(20_000);
    for (int i = 0; i < 20_000; i++) {
      int row = i % 100;
      ids.add(Integer.toString(row == 5 ? 6 : row));
    }
    float[] q = TrigramEmbedder.vector("repeated");
    float[] d = decodeDistances(req.call(LeannMsgpack.encode(new LeannRequest.DistancesById(ids, q))));
    assertEquals(ids.size(), d.length);
    for (int i : new int[] {0, 1, 6, 99, 19_999}) {
      assertClose(ExpectedDistances.of(Metric.L2, q, TEXTS.get(Integer.parseInt(ids.get(i)))), d[i], "position " + i);
    }
  }

  /**
   * A frame over max-message-bytes: ZMQ drops the connection unread, so a REQ client gets no answer
   * and must reconnect, and nothing else is affected.
   */
  private static void oversizedMessageDropsOnlyItsConnection(int round) {
    ZMQ.Socket socket = NativeTestClient.open(clients, SocketType.REQ, server.endpoint());
    try {
      socket.setReceiveTimeOut(200);
      socket.send(new byte[(int) MAX_MESSAGE_BYTES + 1]);
      assertNull(socket.recv(), "round " + round + ": no reply to a frame over max-message-bytes");
    } finally {
      socket.close();
    }
  }

  private static Map<String, byte[]> hostileMsgpackFrames() throws IOException {
    Map<String, byte[]> frames = new LinkedHashMap<>();
    frames.put("[[0..99 x 1,000,000]]", packed(p -> {
      p.packArrayHeader(1).packArrayHeader(1_000_000);
      for (int i = 0; i < 1_000_000; i++) {
        p.packInt(i % 100);
      }
    }));
    frames.put("1.5M ids", packed(p -> {
      p.packArrayHeader(1).packArrayHeader(1_500_000);
      for (int i = 0; i < 1_500_000; i++) {
        p.packInt(i % 100);
      }
    }));
    frames.put("1.5M ids with a query", packed(p -> {
      p.packArrayHeader(2).packArrayHeader(1_500_000);
      for (int i = 0; i < 1_500_000; i++) {
        p.packInt(7);
      }
      p.packArrayHeader(TrigramEmbedder.DIMS);
      for (int i = 0; i < TrigramEmbedder.DIMS; i++) {
        p.packFloat(1f);
      }
    }));
    frames.put("embeddings of 4,000 ids over max-reply-bytes",
        LeannMsgpack.encode(new LeannRequest.EmbeddingsById(Collections.nCopies(4_000, "1"))));
    frames.put("negative ids", LeannMsgpack.encode(new LeannRequest.EmbeddingsById(List.of("-1", "-2"))));
    frames.put("negative id among good ones", LeannMsgpack.encode(
        new LeannRequest.DistancesById(List.of("1", "-7", "2"), TrigramEmbedder.vector("q"))));
    frames.put("unknown string id", LeannMsgpack.encode(new LeannRequest.EmbeddingsById(List.of("doc-x"))));
    frames.put("wrong dims query", LeannMsgpack.encode(new LeannRequest.DistancesById(List.of("1"), new float[3])));
    byte[] good = LeannMsgpack.encode(new LeannRequest.DistancesById(List.of("1", "2"), TrigramEmbedder.vector("q")));
    frames.put("truncated msgpack", Arrays.copyOf(good, good.length - 7));
    byte[] random = new byte[4096];
    new Random(13).nextBytes(random);
    random[0] = (byte) 0xc1; // never-used msgpack byte: random noise that is certainly not a request
    frames.put("random bytes", random);
    frames.put("empty frame", new byte[0]);
    frames.put("100,000 texts", LeannMsgpack.encode(new LeannRequest.EmbedTexts(Collections.nCopies(100_000, "a"))));
    frames.put("4,096 texts over max-reply-bytes",
        LeannMsgpack.encode(new LeannRequest.EmbedTexts(Collections.nCopies(limits.maxTexts(), "b"))));
    frames.put("a text over max-text-bytes",
        LeannMsgpack.encode(new LeannRequest.EmbedTexts(List.of("x".repeat(limits.maxTextBytes() + 1)))));
    frames.put("nested arrays 10,000 deep", packed(p -> {
      for (int i = 0; i < 10_000; i++) {
        p.packArrayHeader(1);
      }
      p.packInt(1);
    }));
    frames.put("a map", packed(p -> p.packMapHeader(1).packString("ids").packInt(1)));
    return frames;
  }

  private static Map<String, byte[]> hostileNativeFrames() {
    Map<String, byte[]> frames = new LinkedHashMap<>();
    float[] q = TrigramEmbedder.vector("q");
    frames.put("native: 5,000 texts", NativeCodec.encode(1, new NativeMessage.Distances(Metric.L2, q,
        Collections.nCopies(5_000, "t"))));
    frames.put("native: text over max-text-bytes", NativeCodec.encode(2, new NativeMessage.Embed(
        List.of("y".repeat(limits.maxTextBytes() + 1)))));
    frames.put("native: wrong dims query", NativeCodec.encode(3, new NativeMessage.Distances(Metric.L2,
        new float[TrigramEmbedder.DIMS + 1], List.of("t"))));
    frames.put("native: reply over max-reply-bytes", NativeCodec.encode(4, new NativeMessage.Embed(
        Collections.nCopies(limits.maxTexts(), "z"))));
    byte[] garbage = new byte[256];
    new Random(14).nextBytes(garbage);
    System.arraycopy(NativeCodec.encode(5, new NativeMessage.Ping()), 0, garbage, 0, NativeCodec.HEADER_BYTES);
    garbage[5] = NativeMessage.Embed.TYPE;
    frames.put("native: random body", garbage);
    return frames;
  }

  private interface Packing {
    void pack(MessageBufferPacker p) throws IOException;
  }

  private static byte[] packed(Packing body) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      body.pack(p);
      return p.toByteArray();
    }
  }

  private static float[] decodeDistances(byte[] reply) {
    try {
      return LeannMsgpack.decodeDistancesReply(reply);
    } catch (Exception e) {
      throw new AssertionError("not a distance reply", e);
    }
  }

  private static NativeFrame decode(byte[] reply) {
    try {
      return NativeCodec.decode(reply);
    } catch (Exception e) {
      throw new AssertionError("server sent a malformed frame", e);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
