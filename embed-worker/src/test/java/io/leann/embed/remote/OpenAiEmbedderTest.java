package io.leann.embed.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.embed.EmbeddingException;
import io.leann.embed.remote.FakeServer.Call;
import io.leann.embed.remote.FakeServer.Reply;
import io.leann.protocol.http.HttpOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiEmbedderTest {

  /** Fast retries, so the tests spend no time in backoff. */
  static final HttpOptions FAST = HttpOptions.defaults()
      .withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
      .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));

  private FakeServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = FakeServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** A vector that encodes its text, so order mistakes show: {len, first char, 1}. */
  static float[] vectorOf(String text) {
    return new float[] {text.length(), text.isEmpty() ? 0 : text.charAt(0), 1};
  }

  /** Answers like OpenAI, but lists the items in reverse order: clients must use "index". */
  static Reply reversedOpenAiAnswer(Call call) {
    List<Map<String, Object>> data = new ArrayList<>();
    JsonNode input = call.body().path("input");
    for (int i = input.size() - 1; i >= 0; i--) {
      data.add(Map.of("object", "embedding", "index", i,
          "embedding", vectorOf(input.get(i).asText())));
    }
    return Reply.json(Map.of("object", "list", "data", data, "model", call.body().path("model"),
        "usage", Map.of("prompt_tokens", 1, "total_tokens", 1)));
  }

  private OpenAiEmbedder.Config config(Map<String, String> env) {
    return OpenAiEmbedder.Config.fromEnvironment("text-embedding-3-small", env).withHttp(FAST);
  }

  private Map<String, String> env() {
    return Map.of("OPENAI_BASE_URL", server.uri("/v1/").toString(), "OPENAI_API_KEY", "sk-test");
  }

  @Test
  void postsTheOpenAiRequestAndOrdersTheAnswerByIndex() {
    server.on("/v1/embeddings", OpenAiEmbedderTest::reversedOpenAiAnswer);
    List<String> texts = List.of("alpha", "be", "gamma ray", "");
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      float[][] vectors = embedder.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(vectorOf(texts.get(i)), vectors[i], "text " + i);
      }
      assertEquals(3, embedder.dimensions());
      assertEquals("text-embedding-3-small", embedder.modelId());
    }
    Call call = server.calls().getFirst();
    assertEquals("POST", call.method());
    assertEquals("/v1/embeddings", call.path());
    assertEquals("Bearer sk-test", call.headers().getFirst("Authorization"));
    assertTrue(call.headers().getFirst("Content-Type").startsWith("application/json"));
    assertEquals("text-embedding-3-small", call.body().path("model").asText());
    assertEquals(texts, FakeServer.JSON.convertValue(call.body().path("input"), List.class));
    assertEquals(1, server.calls().size(), "dimensions were learnt, not probed");
  }

  @Test
  void splitsLargeInputsIntoBatches() {
    server.on("/v1/embeddings", OpenAiEmbedderTest::reversedOpenAiAnswer);
    List<String> texts = IntStream.range(0, 1200).mapToObj(i -> "t" + "x".repeat(i % 50)).toList();
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      float[][] vectors = embedder.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(vectorOf(texts.get(i)), vectors[i]);
      }
    }
    assertEquals(List.of(512, 512, 176),
        server.calls().stream().map(c -> c.body().path("input").size()).toList());
  }

  @Test
  void honoursRetryAfterOn429() {
    AtomicInteger calls = new AtomicInteger();
    server.on("/v1/embeddings", call -> calls.getAndIncrement() == 0
        ? new Reply(429, Map.of("Retry-After", "0", "Content-Type", "application/json"),
            "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}")
        : reversedOpenAiAnswer(call));
    // A long backoff proves that the server's Retry-After: 0 was used instead.
    HttpOptions slowBackoff = FAST.withBackoff(Duration.ofSeconds(20), Duration.ofSeconds(20));
    long start = System.nanoTime();
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()).withHttp(slowBackoff))) {
      assertArrayEquals(vectorOf("hi"), embedder.embed(List.of("hi"))[0]);
    }
    assertEquals(2, calls.get());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
  }

  @Test
  void retriesServerErrorsThenSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    server.on("/v1/embeddings", call -> calls.getAndIncrement() < 2
        ? Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}")
        : reversedOpenAiAnswer(call));
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      assertArrayEquals(vectorOf("hi"), embedder.embed(List.of("hi"))[0]);
    }
    assertEquals(3, calls.get());
  }

  @Test
  void givesUpAfterMaxAttempts() {
    server.on("/v1/embeddings",
        call -> Reply.json(502, "{\"error\":{\"message\":\"bad gateway\"}}"));
    try (OpenAiEmbedder embedder =
        OpenAiEmbedder.create(config(env()).withHttp(FAST.withMaxAttempts(3)))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().contains("HTTP 502 after 3 attempts: bad gateway"), e.getMessage());
    }
    assertEquals(3, server.calls().size());
  }

  @Test
  void failsAtOnceWhenTheServerAsksForAVeryLongWait() {
    server.on("/v1/embeddings", call -> new Reply(429, Map.of("Retry-After", "3600"),
        "{\"error\":{\"message\":\"quota exceeded\"}}"));
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().contains("retry after 3600 s"), e.getMessage());
      assertTrue(e.getMessage().contains("quota exceeded"), e.getMessage());
    }
    assertEquals(1, server.calls().size());
  }

  @Test
  void namesTheKeyVariableWhenTheKeyIsRejected() {
    server.on("/v1/embeddings", call -> Reply.json(401,
        "{\"error\":{\"message\":\"Incorrect API key provided: sk-test.\","
            + "\"code\":\"invalid_api_key\"}}"));
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().startsWith(
          "OpenAI rejected the API key (HTTP 401): set OPENAI_API_KEY"), e.getMessage());
    }
    assertEquals(1, server.calls().size(), "401 is not retried");
  }

  @Test
  void reportsTheServersMessageFor400() {
    server.on("/v1/embeddings", call -> Reply.json(400, "{\"error\":{\"message\":"
        + "\"This model's maximum context length is 8192 tokens\","
        + "\"type\":\"invalid_request_error\"}}"));
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertEquals("OpenAI refused the request (HTTP 400): This model's maximum context length is"
          + " 8192 tokens", e.getMessage());
    }
    assertEquals(1, server.calls().size());
  }

  @Test
  void pointsAtTheModelAndBaseUrlOn404() {
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertEquals("OpenAI has no /v1/embeddings (HTTP 404): 404 page not found; check the model"
          + " name and OPENAI_BASE_URL", e.getMessage());
    }
  }

  @Test
  void sendsNoAuthorizationToAKeylessCompatibleServer() {
    server.on("/v1/embeddings", OpenAiEmbedderTest::reversedOpenAiAnswer);
    Map<String, String> env = Map.of("OPENAI_BASE_URL", server.uri("/v1").toString());
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env))) {
      embedder.embed(List.of("local"));
    }
    assertNull(server.calls().getFirst().headers().getFirst("Authorization"));
  }

  @Test
  void requiresAKeyForApiOpenAiCom() {
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> OpenAiEmbedder.Config.fromEnvironment(null, Map.of()));
    assertTrue(e.getMessage().contains("set OPENAI_API_KEY"), e.getMessage());
    OpenAiEmbedder.Config config =
        OpenAiEmbedder.Config.fromEnvironment(null, Map.of("OPENAI_API_KEY", "sk-x"));
    assertEquals("https://api.openai.com/v1", config.baseUrl().toString());
    assertEquals(OpenAiEmbedder.DEFAULT_MODEL, config.model());
  }

  @Test
  void refusesVectorsOfTheWrongSize() {
    server.on("/v1/embeddings", OpenAiEmbedderTest::reversedOpenAiAnswer);
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()).withDimensions(1536))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("a", "b")));
      assertTrue(e.getMessage().contains("3-dimensional vector where 1536"), e.getMessage());
    }
  }

  @Test
  void refusesInconsistentVectorsAcrossBatches() {
    AtomicInteger calls = new AtomicInteger();
    server.on("/v1/embeddings", call -> calls.getAndIncrement() == 0
        ? reversedOpenAiAnswer(call)
        : Reply.json(Map.of("data", List.of(Map.of("index", 0, "embedding", new float[] {1, 2})))));
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()).withBatchSize(2))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("a", "b", "c")));
      assertTrue(e.getMessage().contains("2-dimensional vector where 3"), e.getMessage());
    }
  }

  @Test
  void refusesAnswersWithRepeatedOrMissingIndexes() {
    AtomicInteger calls = new AtomicInteger();
    server.on("/v1/embeddings", call -> Reply.json(Map.of("data", calls.getAndIncrement() == 0
        ? List.of(Map.of("index", 0, "embedding", new float[] {1, 2}),
            Map.of("index", 0, "embedding", new float[] {1, 2}))
        : List.of(Map.of("index", 1, "embedding", new float[] {1, 2})))));
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("a", "b")));
      assertTrue(e.getMessage().contains("repeated index 0"), e.getMessage());
      e = assertThrows(EmbeddingException.class, () -> embedder.embed(List.of("a", "b")));
      assertTrue(e.getMessage().contains("no vector for text 0"), e.getMessage());
    }
  }

  @Test
  void probesDimensionsOnceAndChecksAnExpectedSize() {
    server.on("/v1/embeddings", OpenAiEmbedderTest::reversedOpenAiAnswer);
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(config(env()))) {
      assertEquals(3, embedder.dimensions());
      assertEquals(3, embedder.dimensions());
      embedder.requireDimensions(3);
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.requireDimensions(384));
      assertTrue(e.getMessage().contains("returns 3-dimensional vectors, but 384"), e.getMessage());
    }
    assertEquals(1, server.calls().size());
    assertEquals("dummy", server.calls().getFirst().body().path("input").get(0).asText());
  }

  @Test
  void retriesConnectionFailuresThenReportsTheServerUnreachable() {
    String base = server.uri("/v1").toString();
    server.close();
    try (OpenAiEmbedder embedder = OpenAiEmbedder.create(
        config(Map.of("OPENAI_BASE_URL", base)).withHttp(FAST.withMaxAttempts(2)))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().startsWith(
          "OpenAI is unreachable at " + base + "/embeddings after 2"), e.getMessage());
      assertTrue(e.getMessage().contains("OPENAI_BASE_URL"), e.getMessage());
    }
  }
}
