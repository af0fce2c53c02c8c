package io.leann.embed.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.embed.EmbeddingException;
import io.leann.embed.remote.FakeServer.Call;
import io.leann.embed.remote.FakeServer.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OllamaEmbedderTest {

  private FakeServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = FakeServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** An unnormalised vector {3, 4 * len}: its unit form tells the text's length. */
  static float[] rawVectorOf(String text) {
    return new float[] {3, 4 * text.length()};
  }

  static float[] unitVectorOf(String text) {
    float[] v = rawVectorOf(text);
    float norm = (float) Math.hypot(v[0], v[1]);
    return new float[] {v[0] / norm, v[1] / norm};
  }

  private OllamaEmbedder create() {
    String host = server.uri("").toString().substring("http://".length());
    return OllamaEmbedder.create(
        OllamaEmbedder.Config.fromEnvironment("nomic-embed-text", Map.of("OLLAMA_HOST", host))
            .withHttp(OpenAiEmbedderTest.FAST));
  }

  @Test
  void embedsThroughTheBatchEndpointAndNormalises() {
    server.on("/api/embed", call -> {
      List<float[]> embeddings = new ArrayList<>();
      call.body().path("input").forEach(t -> embeddings.add(rawVectorOf(t.asText())));
      return Reply.json(Map.of("model", "nomic-embed-text", "embeddings", embeddings));
    });
    List<String> texts = List.of("a", "abc", "abcdef");
    try (OllamaEmbedder embedder = create()) {
      float[][] vectors = embedder.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(unitVectorOf(texts.get(i)), vectors[i], 1e-6f);
      }
    }
    Call call = server.calls().getFirst();
    assertEquals("POST", call.method());
    assertEquals("nomic-embed-text", call.body().path("model").asText());
    assertEquals(texts, FakeServer.JSON.convertValue(call.body().path("input"), List.class));
    assertEquals(1, server.calls().size());
  }

  @Test
  void fallsBackToTheLegacyEndpointWithRequestsInFlightTogether() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    server.on("/api/embeddings", call -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        Thread.sleep(60);
        return Reply.json(Map.of("embedding", rawVectorOf(call.body().path("prompt").asText())));
      } finally {
        inFlight.decrementAndGet();
      }
    });
    List<String> texts = IntStream.range(0, 12).mapToObj("x"::repeat).toList();
    try (OllamaEmbedder embedder = create()) {
      float[][] vectors = embedder.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(unitVectorOf(texts.get(i)), vectors[i], 1e-6f, "text " + i);
      }
      embedder.embed(List.of("again"));
    }
    assertEquals(1, server.calls("/api/embed").size(), "the old server is remembered");
    assertEquals(13, server.calls("/api/embeddings").size());
    assertTrue(maxInFlight.get() >= 2, "requests overlapped: " + maxInFlight.get());
    assertTrue(maxInFlight.get() <= OllamaEmbedder.DEFAULT_CONCURRENCY, "bounded: " + maxInFlight);
    Call legacy = server.calls("/api/embeddings").getFirst();
    assertEquals("nomic-embed-text", legacy.body().path("model").asText());
  }

  @Test
  void legacyFailuresStopTheCallWithTheServersMessage() {
    server.on("/api/embeddings", call -> call.body().path("prompt").asText().equals("bad")
        ? Reply.json(400, "{\"error\":\"input too long\"}")
        : Reply.json(Map.of("embedding", rawVectorOf("ok"))));
    try (OllamaEmbedder embedder = create()) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("ok", "bad", "ok")));
      assertEquals("Ollama refused the request (HTTP 400): input too long", e.getMessage());
    }
  }

  @Test
  void tellsToPullAMissingModel() {
    server.on("/api/embed", call -> Reply.json(404,
        "{\"error\":\"model \\\"nomic-embed-text\\\" not found, try pulling it first\"}"));
    try (OllamaEmbedder embedder = create()) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().contains("run `ollama pull nomic-embed-text`"), e.getMessage());
    }
    assertEquals(0, server.calls("/api/embeddings").size());
  }

  @Test
  void refusesAWrongNumberOfVectors() {
    server.on("/api/embed", call -> Reply.json(Map.of("embeddings", List.of(new float[] {1, 0}))));
    try (OllamaEmbedder embedder = create()) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("a", "b")));
      assertTrue(e.getMessage().contains("returned 1 vectors for 2 texts"), e.getMessage());
    }
  }

  @Test
  void readsOllamaHostLikeTheOllamaCli() {
    assertEquals(URI.create("http://localhost:11434"), OllamaEmbedder.parseHost("localhost"));
    assertEquals(URI.create("http://0.0.0.0:11434"), OllamaEmbedder.parseHost("0.0.0.0"));
    assertEquals(URI.create("http://10.0.0.5:8080"), OllamaEmbedder.parseHost("10.0.0.5:8080"));
    assertEquals(URI.create("https://ollama.example.com"),
        OllamaEmbedder.parseHost("https://ollama.example.com/"));
    assertEquals(URI.create("http://localhost:11434"),
        OllamaEmbedder.Config.fromEnvironment(null, Map.of()).host());
    assertEquals(OllamaEmbedder.DEFAULT_MODEL,
        OllamaEmbedder.Config.fromEnvironment(null, Map.of()).model());
  }
}
