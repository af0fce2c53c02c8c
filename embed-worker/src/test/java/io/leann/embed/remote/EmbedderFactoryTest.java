package io.leann.embed.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.embed.EmbeddingException;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.testing.SecretLeaks;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbedderFactoryTest {

  @Test
  void defaultsToTheShippedLocalModel() {
    try (Embedder embedder = EmbedderFactory.create(null, null, Map.of())) {
      assertInstanceOf(OnnxEmbedder.class, embedder);
      assertEquals("sentence-transformers/all-MiniLM-L6-v2", embedder.modelId());
    }
    try (Embedder embedder = EmbedderFactory.create("onnx", "all-MiniLM-L6-v2", Map.of())) {
      assertEquals(384, embedder.dimensions());
    }
  }

  @Test
  void namesTheLocalModelWhenAnotherIsAsked() {
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> EmbedderFactory.create("sentence-transformers", "facebook/contriever", Map.of()));
    assertTrue(
        e.getMessage().contains("only local model is sentence-transformers/all-MiniLM-L6-v2"),
        e.getMessage());
  }

  @Test
  void buildsEachRemoteProviderFromTheEnvironment() {
    try (Embedder openai = EmbedderFactory.create("openai", null, Map.of("OPENAI_API_KEY", "k"))) {
      assertInstanceOf(OpenAiEmbedder.class, openai);
      assertEquals("text-embedding-3-small", openai.modelId());
    }
    try (Embedder ollama = EmbedderFactory.create("OLLAMA", "mxbai-embed-large", Map.of())) {
      assertInstanceOf(OllamaEmbedder.class, ollama);
      assertEquals("mxbai-embed-large", ollama.modelId());
    }
    try (Embedder gemini = EmbedderFactory.create("gemini", "", Map.of("GEMINI_API_KEY", "k"))) {
      assertInstanceOf(GeminiEmbedder.class, gemini);
      assertEquals("text-embedding-004", gemini.modelId());
    }
  }

  @Test
  void rejectsUnknownModesAndMissingKeys() {
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> EmbedderFactory.create("mlx", null, Map.of()));
    assertTrue(e.getMessage().contains("unknown embedding mode 'mlx'"), e.getMessage());
    e = assertThrows(EmbeddingException.class,
        () -> EmbedderFactory.create("gemini", null, Map.of()));
    assertTrue(e.getMessage().contains("GEMINI_API_KEY"), e.getMessage());
  }

  @Test
  void flagsStandForTheVariablesOfTheModeAndWinOverThem() {
    Map<String, String> env = Map.of("OPENAI_BASE_URL", "http://env:1/v1", "OPENAI_API_KEY", "env-key");

    Map<String, String> openai = EmbedderFactory.withFlags("openai", env, null, "http://flag:2/v1", "flag-key");
    assertEquals("http://flag:2/v1", openai.get("LEANN_OPENAI_BASE_URL"));
    assertEquals("flag-key", openai.get("OPENAI_API_KEY"));
    assertEquals("http://gpu:11434",
        EmbedderFactory.withFlags("ollama", Map.of("OLLAMA_HOST", "x"), "http://gpu:11434", null, null).get("LEANN_OLLAMA_HOST"));
    assertEquals(env, EmbedderFactory.withFlags("openai", env, null, null, null));

    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> EmbedderFactory.withFlags("ollama", env, null, null, "k"));
    assertEquals("--embedding-api-key applies to embedding mode openai or gemini, not to ollama", e.getMessage());
  }

  @Test
  void recordsTheChosenServerWithoutUserInfoAndNothingForTheDefault() {
    assertEquals(Map.of("base_url", "http://127.0.0.1:1234/v1"), EmbedderFactory.endpointOptions("openai",
        Map.of("OPENAI_BASE_URL", "http://user:s3cret-pass@127.0.0.1:1234/v1", "OPENAI_API_KEY", "k")));
    assertEquals(Map.of("host", "gpu:11434"), EmbedderFactory.endpointOptions("ollama", Map.of("OLLAMA_HOST", "gpu:11434")));
    assertEquals(Map.of(), EmbedderFactory.endpointOptions("openai", Map.of("OPENAI_API_KEY", "k")));
    assertEquals(Map.of(), EmbedderFactory.endpointOptions("sentence-transformers", Map.of("OLLAMA_HOST", "gpu")));
  }

  @Test
  void aRecordedServerIsUsedOnlyWhenTheEnvironmentNamesNone() throws Exception {
    try (FakeServer recorded = FakeServer.start(); FakeServer fromEnv = FakeServer.start()) {
      FakeServer.Handler answer = call -> FakeServer.Reply.json(Map.of("embeddings", List.of(new float[] {1, 0})));
      recorded.on("/api/embed", answer);
      fromEnv.on("/api/embed", answer);
      Map<String, String> options = Map.of("host", recorded.uri("").toString());

      try (Embedder e = EmbedderFactory.create("ollama", "m", Map.of(), options)) {
        e.embed(List.of("a"));
      }
      try (Embedder e = EmbedderFactory.create("ollama", "m", Map.of("OLLAMA_HOST", fromEnv.uri("").toString()), options)) {
        e.embed(List.of("b"));
      }

      assertEquals(List.of("a"), inputs(recorded), "no variable set: the recorded host");
      assertEquals(List.of("b"), inputs(fromEnv), "OLLAMA_HOST beats the recorded host");
    }
  }

  @Test
  void aKeyGivenByFlagIsRedactedFromErrorsLikeOneFromTheEnvironment() throws Exception {
    String key = "lk-Flag0Key9f3a7c21b8e64d05a1c2";
    try (FakeServer server = FakeServer.start()) {
      server.on("/v1/embeddings", call -> FakeServer.Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key"
          + " provided: " + call.headers().getFirst("Authorization").substring(7) + "\"}}"));
      Map<String, String> env = EmbedderFactory.withFlags("openai", Map.of(), null, server.uri("/v1").toString(), key);

      try (Embedder e = EmbedderFactory.create("openai", "m", env)) {
        EmbeddingException failure = assertThrows(EmbeddingException.class, () -> e.embed(List.of("x")));
        SecretLeaks.assertNoSecret(key, failure);
      }
      assertEquals("Bearer " + key, server.calls().getFirst().headers().getFirst("Authorization"));
    }
  }

  private static List<String> inputs(FakeServer server) {
    return server.calls("/api/embed").stream()
        .flatMap(c -> java.util.stream.StreamSupport.stream(c.body().path("input").spliterator(), false))
        .map(n -> n.asText()).filter(t -> !t.equals("dummy")).toList();
  }
}
