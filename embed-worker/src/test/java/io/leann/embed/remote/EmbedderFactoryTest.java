package io.leann.embed.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.embed.EmbeddingException;
import io.leann.embed.onnx.OnnxEmbedder;
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
}
