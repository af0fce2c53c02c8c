package io.leann.embed.zmq;

import static io.leann.embed.zmq.ExpectedDistances.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.embed.worker.TrigramEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.passages.PassageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python client speaking the Python LEANN's REQ + msgpack protocol
 * ({@code src/test/python/leann_client.py}) against our server: model query, query embedding,
 * distances by id and embeddings by id. Needs {@code /usr/bin/python3} with Debian's
 * {@code python3-zmq} and {@code python3-msgpack}; without them the test fails and says so.
 */
class PythonLeannInteropTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path SCRIPT = Path.of("src/test/python/leann_client.py");
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @TempDir
  Path dir;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void pythonLeannClientGetsLeannShapedAnswers() throws Exception {
    requirePythonModules();
    List<String> texts = TestPassages.texts(12);
    TrigramEmbedder embedder = new TrigramEmbedder();
    EmbedSettings settings = EmbedSettings.fromConfig(ConfigFactory.load());
    ActorRef<BatchCoalescer.Command> pool = testKit.spawn(BatchCoalescer.create(embedder, settings,
        new EmbedPoolMetrics(new SimpleMeterRegistry())));
    try (PassageStore store = TestPassages.write(dir, texts);
        RecomputeServer server = RecomputeServer.start(
            ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0"),
            EmbedClient.of(pool, testKit.scheduler(), embedder, settings),
            new LeannBinding(PassageTexts.byRow(store), Metric.INNER_PRODUCT))) {
      String query = "graph search about vectors";
      JsonNode out = run(List.of(Integer.toString(server.port()), query, "0", "3", "11", "3"));

      assertEquals(TrigramEmbedder.MODEL_ID, out.get("model").get(0).asText());

      JsonNode textEmbeddings = out.get("text_embeddings");
      assertEquals(2, textEmbeddings.size());
      float[] q = floats(textEmbeddings.get(0));
      float[] expectedQuery = TrigramEmbedder.vector(query);
      for (int i = 0; i < expectedQuery.length; i++) {
        assertEquals(expectedQuery[i], q[i], "query embedding dim " + i);
      }

      JsonNode distances = out.get("distances");
      assertEquals(1, distances.size(), "[[distances]]");
      float[] d = floats(distances.get(0));
      assertEquals(4, d.length);
      assertClose(ExpectedDistances.of(Metric.INNER_PRODUCT, q, texts.get(0)), d[0], "id 0");
      assertClose(ExpectedDistances.of(Metric.INNER_PRODUCT, q, texts.get(3)), d[1], "id 3");
      assertClose(ExpectedDistances.of(Metric.INNER_PRODUCT, q, texts.get(11)), d[2], "id 11");
      assertEquals(d[1], d[3], "a repeated id gets the same distance");

      JsonNode byId = out.get("embeddings_by_id");
      assertEquals(List.of(4, TrigramEmbedder.DIMS),
          List.of(byId.get("shape").get(0).asInt(), byId.get("shape").get(1).asInt()));
      float[] flat = floats(byId.get("data"));
      float[] row3 = TrigramEmbedder.vector(texts.get(3));
      for (int i = 0; i < TrigramEmbedder.DIMS; i++) {
        assertEquals(row3[i], flat[TrigramEmbedder.DIMS + i], "id 3 dim " + i);
      }

      // An id without a text (row 5 is empty, 4000 does not exist) fails the request with the
      // Python server's own error reply, [[], []], which its clients treat as a failure.
      for (String missing : List.of("5", "4000")) {
        JsonNode refused = run(List.of(Integer.toString(server.port()), query, "0", missing));
        assertEquals("[[],[]]", refused.get("distances").toString(), "distances with id " + missing);
        assertEquals("[]", refused.get("embeddings_by_id").get("shape").toString(), "embeddings with id " + missing);
      }
    } finally {
      testKit.stop(pool);
    }
  }

  private static void requirePythonModules() throws Exception {
    String hint = "the Python interop test needs /usr/bin/python3 with the Debian packages python3-zmq and "
        + "python3-msgpack: apt-get install -y python3-zmq python3-msgpack";
    if (!Files.isExecutable(PYTHON)) {
      fail(hint + " (no /usr/bin/python3)");
    }
    Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import zmq, msgpack").redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        fail(hint + " (checking for the modules timed out)");
      }
      if (p.exitValue() != 0) {
        fail(hint + ": " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
      }
    } finally {
      stop(p);
    }
  }

  private JsonNode run(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString()));
    command.addAll(args);
    Path stderr = dir.resolve("python.stderr");
    Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    try {
      byte[] stdout = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        fail("leann_client.py did not finish within 60 s");
      }
      String err = Files.readString(stderr);
      assertEquals(0, p.exitValue(), () -> "leann_client.py failed: " + err);
      return new ObjectMapper().readTree(stdout);
    } finally {
      stop(p);
    }
  }

  private static void stop(Process p) throws InterruptedException {
    if (p.isAlive()) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }
}
