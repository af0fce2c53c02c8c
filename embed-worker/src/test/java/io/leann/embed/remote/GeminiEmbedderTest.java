package io.leann.embed.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.embed.EmbeddingException;
import io.leann.embed.remote.FakeServer.Call;
import io.leann.embed.remote.FakeServer.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GeminiEmbedderTest {

  private static final String PATH = "/v1beta/models/text-embedding-004:batchEmbedContents";

  private FakeServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = FakeServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** Answers like Gemini, refusing more than 100 requests as the real API does. */
  static Reply geminiAnswer(Call call) {
    JsonNode requests = call.body().path("requests");
    if (requests.size() > GeminiEmbedder.MAX_BATCH_SIZE) {
      return Reply.json(400, "{\"error\":{\"code\":400,\"message\":\"at most 100 requests can be"
          + " in one batch\",\"status\":\"INVALID_ARGUMENT\"}}");
    }
    List<Map<String, Object>> embeddings = new ArrayList<>();
    requests.forEach(r -> {
      String text = r.path("content").path("parts").get(0).path("text").asText();
      embeddings.add(Map.of("values", OpenAiEmbedderTest.vectorOf(text)));
    });
    return Reply.json(Map.of("embeddings", embeddings));
  }

  /** The embedder {@code env} configures, pointed at the fake server by GEMINI_BASE_URL. */
  private GeminiEmbedder create(Map<String, String> env) {
    Map<String, String> withServer = new HashMap<>(env);
    withServer.put("GEMINI_BASE_URL", server.uri("/").toString());
    return GeminiEmbedder.create(GeminiEmbedder.Config.fromEnvironment(null, withServer)
        .withHttp(OpenAiEmbedderTest.FAST));
  }

  @Test
  void postsBatchEmbedContentsInRequestsOfAtMost100() {
    server.on(PATH, GeminiEmbedderTest::geminiAnswer);
    List<String> texts = IntStream.range(0, 250).mapToObj(i -> "text " + i).toList();
    try (GeminiEmbedder embedder = create(Map.of("GEMINI_API_KEY", "g-key"))) {
      float[][] vectors = embedder.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(OpenAiEmbedderTest.vectorOf(texts.get(i)), vectors[i]);
      }
      assertEquals("text-embedding-004", embedder.modelId());
    }
    assertEquals(List.of(100, 100, 50),
        server.calls().stream().map(c -> c.body().path("requests").size()).toList());
    Call call = server.calls().getFirst();
    assertEquals("POST", call.method());
    assertEquals(PATH, call.path());
    assertEquals("g-key", call.headers().getFirst("x-goog-api-key"));
    JsonNode first = call.body().path("requests").get(0);
    assertEquals("models/text-embedding-004", first.path("model").asText());
    assertEquals("text 0", first.path("content").path("parts").get(0).path("text").asText());
    assertEquals("RETRIEVAL_DOCUMENT", first.path("taskType").asText());
  }

  @Test
  void limitsBatchesTo100() {
    GeminiEmbedder.Config config =
        GeminiEmbedder.Config.fromEnvironment(
            "models/gemini-embedding-001", Map.of("GEMINI_API_KEY", "k"));
    assertThrows(IllegalArgumentException.class, () -> config.withBatchSize(101));
    try (GeminiEmbedder embedder = GeminiEmbedder.create(config)) {
      assertEquals("gemini-embedding-001", embedder.modelId());
    }
  }

  @Test
  void theApiRootComesFromGeminiBaseUrlWithoutItsVersion() {
    assertEquals(URI.create(GeminiEmbedder.DEFAULT_BASE_URL),
        GeminiEmbedder.Config.fromEnvironment(null, Map.of("GEMINI_API_KEY", "k")).baseUrl());
    assertEquals(URI.create("http://127.0.0.1:9/proxy/v1beta"), GeminiEmbedder.Config.fromEnvironment(null,
        Map.of("GEMINI_API_KEY", "k", "GEMINI_BASE_URL", "http://127.0.0.1:9/proxy/")).baseUrl());
    assertEquals(URI.create("http://127.0.0.1:8/v1beta"), GeminiEmbedder.Config.fromEnvironment(null,
        Map.of("GEMINI_API_KEY", "k", "GEMINI_BASE_URL", "http://127.0.0.1:9",
            "LEANN_GEMINI_BASE_URL", "http://127.0.0.1:8")).baseUrl());
  }

  @Test
  void prefersGoogleApiKeyAndNamesBothVariablesWhenNoneIsSet() {
    assertEquals("google", GeminiEmbedder.Config.fromEnvironment(null,
        Map.of("GEMINI_API_KEY", "gemini", "GOOGLE_API_KEY", "google")).apiKey());
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> GeminiEmbedder.Config.fromEnvironment(null, Map.of()));
    assertTrue(e.getMessage().contains("set GEMINI_API_KEY or GOOGLE_API_KEY"), e.getMessage());
  }

  @Test
  void reportsAnInvalidKeyAsAKeyProblem() {
    server.on(PATH, call -> Reply.json(400, "{\"error\":{\"code\":400,\"message\":\"API key not"
        + " valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\"}}"));
    try (GeminiEmbedder embedder = create(Map.of("GEMINI_API_KEY", "wrong"))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().startsWith(
          "Gemini rejected the API key (HTTP 400): set GEMINI_API_KEY or GOOGLE_API_KEY"),
          e.getMessage());
    }
  }

  @Test
  void namesTheKeyVariablesOn403() {
    server.on(PATH, call -> Reply.json(403, "{\"error\":{\"code\":403,\"message\":\"Method"
        + " doesn't allow unregistered callers\",\"status\":\"PERMISSION_DENIED\"}}"));
    try (GeminiEmbedder embedder = create(Map.of("GEMINI_API_KEY", "k"))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().startsWith(
          "Gemini rejected the API key (HTTP 403): set GEMINI_API_KEY or GOOGLE_API_KEY"),
          e.getMessage());
    }
  }

  @Test
  void refusesAnswersOfTheWrongDimension() {
    server.on(PATH, GeminiEmbedderTest::geminiAnswer);
    try (GeminiEmbedder embedder = GeminiEmbedder.create(
        GeminiEmbedder.Config.fromEnvironment(null,
                Map.of("GEMINI_API_KEY", "k", "GEMINI_BASE_URL", server.uri("").toString()))
            .withDimensions(768))) {
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> embedder.embed(List.of("hi")));
      assertTrue(e.getMessage().contains("3-dimensional vector where 768"), e.getMessage());
      e = assertThrows(EmbeddingException.class, () -> embedder.requireDimensions(3));
      assertTrue(e.getMessage().contains("returns 768-dimensional vectors, but 3"), e.getMessage());
    }
  }
}
