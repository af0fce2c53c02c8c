package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which provider and model a configuration and environment lead to, and what is said when none fits. */
class ChatModelsTest {
  FakeLlmServer ollama;
  String closedHost;

  @BeforeEach
  void start() throws IOException {
    ollama = new FakeLlmServer();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedHost = "127.0.0.1:" + s.getLocalPort();
    }
  }

  @AfterEach
  void stop() {
    ollama.close();
  }

  static String name(Map<String, String> env, LlmConfig config) {
    try (ChatModels models = new ChatModels(env, FakeLlmServer.FAST); ChatModel model = models.create(config)) {
      return model.name();
    }
  }

  @Test
  void withNothingConfiguredTheExtractiveProviderAnswersAndSaysWhy() {
    ChatModel model = new ChatModels(Map.of("OLLAMA_HOST", closedHost), FakeLlmServer.FAST).create(LlmConfig.auto());
    assertEquals("extractive", model.name());
    String answer = model.complete(LlmRequest.of(List.of(Message.user("q"))).withGrounding(
        new LlmRequest.Grounding("q", List.of())));
    assertTrue(answer.startsWith("No language model was used"), answer);
    assertTrue(answer.contains("Ollama is not reachable at http://" + closedHost), answer);
    assertTrue(answer.contains("OPENAI_API_KEY"), answer);
  }

  @Test
  void aRunningOllamaIsPreferredWithItsDefaultOrFirstChatModel() {
    ollama.then(FakeLlmServer.json(200, OllamaChatModelTest.TAGS));
    Map<String, String> env = Map.of("OLLAMA_HOST", ollama.uri().toString(), "OPENAI_API_KEY", "sk-x");
    assertEquals("ollama/llama3.2:latest", name(env, LlmConfig.auto()), "qwen3:8b is not installed: the first chat model");
    ollama.then(FakeLlmServer.json(200, """
        {"models": [{"name": "nomic-embed-text:latest", "details": {"family": "nomic-bert"}},
                    {"name": "qwen3:8b", "details": {"family": "qwen3"}}]}"""));
    assertEquals("ollama/qwen3:8b", name(env, LlmConfig.auto()));
    ollama.then(FakeLlmServer.json(200, "{\"models\": [{\"name\": \"nomic-embed-text:latest\"}]}"));
    assertEquals("openai/gpt-4o", name(env, LlmConfig.auto()), "Ollama without a chat model: the next provider");
  }

  @Test
  void keysPickTheProviderWhenOllamaIsNotRunning() {
    assertEquals("anthropic/claude-sonnet-4-5",
        name(Map.of("OLLAMA_HOST", closedHost, "ANTHROPIC_API_KEY", "k"), LlmConfig.auto()));
    assertEquals("gemini/gemini-2.5-flash", name(Map.of("OLLAMA_HOST", closedHost, "GOOGLE_API_KEY", "k"), LlmConfig.auto()));
    assertEquals("openai/gpt-4o",
        name(Map.of("OLLAMA_HOST", closedHost, "OPENAI_BASE_URL", "http://127.0.0.1:1234/v1"), LlmConfig.auto()),
        "a local OpenAI-compatible server needs no key");
  }

  @Test
  void leannLlmAndModelNamesChooseWithoutProbing() {
    assertEquals("openai/gpt-4o-mini", name(Map.of("LEANN_LLM", "openai:gpt-4o-mini", "OPENAI_API_KEY", "k"),
        LlmConfig.auto()));
    assertEquals("ollama/mistral", name(Map.of("LEANN_LLM", "ollama"), new LlmConfig(null, "mistral", null, null, null)));
    assertEquals("anthropic/claude-haiku-4-5",
        name(Map.of("ANTHROPIC_API_KEY", "k"), new LlmConfig(null, "claude-haiku-4-5", null, null, null)));
    assertEquals(LlmProvider.OPENAI, ChatModels.vendorOf("o3-mini"));
    assertEquals(LlmProvider.GEMINI, ChatModels.vendorOf("gemini-2.5-pro"));
    assertEquals(LlmProvider.OLLAMA, ChatModels.vendorOf("qwen3:8b"));
    assertTrue(ollama.requests().isEmpty());
  }

  @Test
  void aProviderWithoutItsKeyIsOneClearError() {
    LlmException e = assertThrows(LlmException.class,
        () -> name(Map.of(), new LlmConfig(LlmProvider.ANTHROPIC, null, null, null, null)));
    assertEquals(LlmException.Kind.NOT_CONFIGURED, e.kind());
    assertEquals("Anthropic needs an API key: set ANTHROPIC_API_KEY or pass --api-key", e.getMessage());
    e = assertThrows(LlmException.class, () -> name(Map.of(), new LlmConfig(LlmProvider.OPENAI, null, null, null, null)));
    assertTrue(e.getMessage().contains("OPENAI_API_KEY"), e.getMessage());
    e = assertThrows(LlmException.class, () -> LlmConfig.of("gpt", null));
    assertTrue(e.getMessage().contains("ollama, openai, anthropic, gemini, extractive"), e.getMessage());
  }

  @Test
  void configurationsNeverPrintTheirKey() {
    LlmConfig c = new LlmConfig(LlmProvider.OPENAI, "gpt-4o", null, null, "sk-secret-value");
    assertFalse(c.toString().contains("sk-secret-value"), c.toString());
    assertTrue(c.toString().contains("apiKey=set"));
  }

  @Test
  void aServerSharesOneModelPerConfiguration() {
    try (ChatModels models = new ChatModels(Map.of("OPENAI_API_KEY", "k"), FakeLlmServer.FAST)) {
      ChatModel a = models.shared(LlmConfig.of("openai", "gpt-4o"));
      assertTrue(a == models.shared(LlmConfig.of("openai", "gpt-4o")));
      assertFalse(a == models.shared(LlmConfig.of("openai", "gpt-4o-mini")));
    }
  }
}
