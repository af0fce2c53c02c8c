package io.leann.embed.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.leann.embed.Embedder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class BatchCoalescerTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EmbedSettings settings(int poolSize, int maxTexts, Duration window, Duration workerTimeout) {
    return new EmbedSettings(poolSize, "leann.embed.blocking-dispatcher", maxTexts, window, poolSize,
        workerTimeout, Duration.ofSeconds(5));
  }

  private static ActorRef<BatchCoalescer.Command> pool(Embedder embedder, EmbedSettings settings) {
    return pool(embedder, settings, new SimpleMeterRegistry());
  }

  private static ActorRef<BatchCoalescer.Command> pool(Embedder embedder, EmbedSettings settings,
      MeterRegistry registry) {
    return testKit.spawn(BatchCoalescer.create(embedder, settings, new EmbedPoolMetrics(registry)));
  }

  private static List<String> texts(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + " passage number " + i);
    }
    return out;
  }

  private static void expectVectors(TestProbe<StatusReply<float[][]>> probe, List<String> texts) {
    StatusReply<float[][]> reply = probe.receiveMessage(Duration.ofSeconds(5));
    assertTrue(reply.isSuccess(), () -> "expected vectors, got " + reply);
    float[][] vectors = reply.getValue();
    assertEquals(texts.size(), vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      assertArrayEquals(TrigramEmbedder.vector(texts.get(i)), vectors[i]);
    }
  }

  /** Sends a one-text request that keeps the only worker busy for the embedder's delay. */
  private static TestProbe<StatusReply<float[][]>> occupy(ActorRef<BatchCoalescer.Command> pool,
      TrigramEmbedder embedder) {
    TestProbe<StatusReply<float[][]>> probe = testKit.createTestProbe();
    pool.tell(new BatchCoalescer.Embed(List.of("warm-up"), probe.getRef()));
    probe.awaitAssert(Duration.ofSeconds(2), () -> {
      assertEquals(List.of(1), embedder.callSizes());
      return null;
    });
    return probe;
  }

  @Test
  void requestsArrivingWhileTheWorkerIsBusyShareOneBatch() {
    TrigramEmbedder embedder = new TrigramEmbedder(Duration.ofMillis(300));
    MeterRegistry registry = new SimpleMeterRegistry();
    var pool = pool(embedder, settings(1, 64, Duration.ofMillis(2), Duration.ofSeconds(5)), registry);
    var first = occupy(pool, embedder);
    List<TestProbe<StatusReply<float[][]>>> probes = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      TestProbe<StatusReply<float[][]>> probe = testKit.createTestProbe();
      pool.tell(new BatchCoalescer.Embed(texts("request " + r, 3), probe.getRef()));
      probes.add(probe);
    }
    // The queue depth gauges show what waits behind the busy worker.
    first.awaitAssert(Duration.ofSeconds(2), () -> {
      assertEquals(30.0, registry.get("leann.embed.queue.texts").gauge().value());
      assertEquals(10.0, registry.get("leann.embed.queue.requests").gauge().value());
      assertEquals(1.0, registry.get("leann.embed.batches.in.flight").gauge().value());
      return null;
    });
    expectVectors(first, List.of("warm-up"));
    for (int r = 0; r < 10; r++) {
      expectVectors(probes.get(r), texts("request " + r, 3));
    }
    assertEquals(List.of(1, 30), embedder.callSizes(), "ten requests, one model call");
    first.awaitAssert(Duration.ofSeconds(2), () -> {
      assertEquals(31.0, registry.get("leann.embed.texts").counter().count());
      assertEquals(2, registry.get("leann.embed.batch").tag("result", "ok").timer().count());
      assertEquals(0.0, registry.get("leann.embed.queue.texts").gauge().value());
      return null;
    });
  }

  @Test
  void batchesStopAtTheMaximumWithoutSplittingRequests() {
    TrigramEmbedder embedder = new TrigramEmbedder(Duration.ofMillis(200));
    var pool = pool(embedder, settings(1, 8, Duration.ofMillis(2), Duration.ofSeconds(5)));
    var first = occupy(pool, embedder);
    List<TestProbe<StatusReply<float[][]>>> probes = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      TestProbe<StatusReply<float[][]>> probe = testKit.createTestProbe();
      pool.tell(new BatchCoalescer.Embed(texts("r" + r, 3), probe.getRef()));
      probes.add(probe);
    }
    TestProbe<StatusReply<float[][]>> big = testKit.createTestProbe();
    pool.tell(new BatchCoalescer.Embed(texts("big", 20), big.getRef()));
    expectVectors(first, List.of("warm-up"));
    for (int r = 0; r < 5; r++) {
      expectVectors(probes.get(r), texts("r" + r, 3));
    }
    expectVectors(big, texts("big", 20));
    assertEquals(List.of(1, 6, 6, 3, 20), embedder.callSizes());
  }

  @Test
  void aLoneRequestIsSentAfterTheWindow() {
    TrigramEmbedder embedder = new TrigramEmbedder();
    var pool = pool(embedder, settings(2, 64, Duration.ofMillis(2), Duration.ofSeconds(5)));
    TestProbe<StatusReply<float[][]>> probe = testKit.createTestProbe();
    pool.tell(new BatchCoalescer.Embed(List.of("alone"), probe.getRef()));
    expectVectors(probe, List.of("alone"));
    pool.tell(new BatchCoalescer.Embed(List.of(), probe.getRef()));
    assertEquals(0, probe.receiveMessage().getValue().length);
    assertEquals(List.of(1), embedder.callSizes(), "an empty request never reaches the model");
  }

  @Test
  void aModelFailureFailsEveryRequestOfItsBatchAndOnlyThose() {
    TrigramEmbedder embedder = new TrigramEmbedder(Duration.ofMillis(200));
    var pool = pool(embedder, settings(1, 64, Duration.ofMillis(2), Duration.ofSeconds(5)));
    var first = occupy(pool, embedder);
    TestProbe<StatusReply<float[][]>> good = testKit.createTestProbe();
    TestProbe<StatusReply<float[][]>> bad = testKit.createTestProbe();
    pool.tell(new BatchCoalescer.Embed(List.of("fine"), good.getRef()));
    pool.tell(new BatchCoalescer.Embed(List.of(TrigramEmbedder.FAIL), bad.getRef()));
    expectVectors(first, List.of("warm-up"));
    for (var probe : List.of(good, bad)) {
      StatusReply<float[][]> reply = probe.receiveMessage(Duration.ofSeconds(5));
      assertTrue(reply.isError());
      assertTrue(reply.getError().getMessage().contains("embedding batch of 2 texts failed")
          && reply.getError().getMessage().contains("refuses"), reply.getError().getMessage());
    }
    TestProbe<StatusReply<float[][]>> after = testKit.createTestProbe();
    pool.tell(new BatchCoalescer.Embed(List.of("after"), after.getRef()));
    expectVectors(after, List.of("after"));
  }

  @Test
  void aModelCallPastTheWorkerTimeoutFailsItsBatch() {
    TrigramEmbedder embedder = new TrigramEmbedder(Duration.ofMillis(600));
    var pool = pool(embedder, settings(1, 64, Duration.ZERO, Duration.ofMillis(100)));
    TestProbe<StatusReply<float[][]>> probe = testKit.createTestProbe();
    pool.tell(new BatchCoalescer.Embed(List.of("slow"), probe.getRef()));
    StatusReply<float[][]> reply = probe.receiveMessage(Duration.ofSeconds(2));
    assertTrue(reply.isError());
    assertTrue(reply.getError().getMessage().contains("timed out"), reply.getError().getMessage());
  }

  @Test
  void aWorkerRejectsModelOutputOfTheWrongShape() {
    Embedder broken = new Embedder() {
      @Override
      public float[][] embed(List<String> texts) {
        return new float[][] {{1f, 2f}};
      }

      @Override
      public int dimensions() {
        return 3;
      }

      @Override
      public String modelId() {
        return "broken";
      }

      @Override
      public int maxTokens() {
        return 1;
      }
    };
    var worker = testKit.spawn(EmbedWorker.create(broken));
    TestProbe<StatusReply<float[][]>> probe = testKit.createTestProbe();
    worker.tell(new EmbedWorker.Embed(List.of("a"), probe.getRef()));
    assertEquals("broken returned a vector of 2 floats for text 0, expected 3",
        probe.receiveMessage().getError().getMessage());
    worker.tell(new EmbedWorker.Embed(List.of("a", "b"), probe.getRef()));
    assertEquals("broken returned 1 vectors for 2 texts", probe.receiveMessage().getError().getMessage());
  }

  @Test
  void settingsComeFromReferenceConf() {
    EmbedSettings s = EmbedSettings.fromConfig(ConfigFactory.load());
    assertEquals(64, s.maxBatchTexts());
    assertEquals(Duration.ZERO, s.batchWindow());
    assertEquals(s.poolSize(), s.maxInFlight());
    assertEquals("leann.embed.blocking-dispatcher", s.dispatcher());
  }
}
