package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.protocol.http.ProviderHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Ollama provider against a local server speaking Ollama's {@code /api/chat} NDJSON stream,
 * its error bodies and its {@code /api/tags} model list.
 */
class OllamaChatModelTest {
  static final String TAGS = """
      {"models": [
        {"name": "llama3.2:latest", "model": "llama3.2:latest", "modified_at": "2025-05-01T10:00:00Z", "size": 2019393189,
         "digest": "a80c4f17acd5", "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B"}},
        {"name": "llama3.1:8b", "model": "llama3.1:8b", "size": 4920753328,
         "details": {"format": "gguf", "family": "llama", "parameter_size": "8.0B"}},
        {"name": "nomic-embed-text:latest", "model": "nomic-embed-text:latest", "size": 274302450,
         "details": {"format": "gguf", "family": "nomic-bert", "parameter_size": "137M"}}]}""";

  FakeLlmServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeLlmServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static List<String> lines(String model, String... tokens) {
    List<String> lines = new ArrayList<>();
    for (String t : tokens) {
      lines.add("{\"model\":\"" + model + "\",\"created_at\":\"2025-05-01T10:00:00.1Z\",\"message\":{\"role\":\"assistant\","
          + "\"content\":" + ProviderHttp.JSON.valueToTree(t) + "},\"done\":false}");
    }
    lines.add("{\"model\":\"" + model + "\",\"created_at\":\"2025-05-01T10:00:01Z\",\"message\":{\"role\":\"assistant\","
        + "\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":4883583458,"
        + "\"load_duration\":1334875,\"prompt_eval_count\":26,\"eval_count\":3,\"eval_duration\":4535599000}");
    return lines;
  }

  OllamaChatModel model(String name) {
    return new OllamaChatModel(server.uri(), name, FakeLlmServer.FAST);
  }

  @Test
  void streamsNdjsonAndSendsTheChatRequest() {
    server.then(server.ndjson(Duration.ZERO, lines("llama3.2", "Lava", " flows", ".")));
    List<String> tokens = new CopyOnWriteArrayList<>();
    try (OllamaChatModel model = model("llama3.2")) {
      LlmRequest request = LlmRequest.of(List.of(Message.system("Cite sources."), Message.user("What erupts?"),
          Message.assistant("A volcano."), Message.user("And then?"))).withStop(List.of("Observation:"));
      assertEquals("Lava flows.", ChatModel.await(model.stream(request, tokens::add)));
      assertEquals(List.of("Lava", " flows", "."), tokens);
    }
    FakeLlmServer.Recorded r = server.last();
    assertEquals("/api/chat", r.path());
    JsonNode body = r.body();
    assertEquals("llama3.2", body.path("model").asText());
    assertTrue(body.path("stream").asBoolean());
    assertEquals(List.of("system", "user", "assistant", "user"),
        body.path("messages").findValuesAsText("role"));
    assertEquals(LlmRequest.DEFAULT_MAX_TOKENS, body.path("options").path("num_predict").asInt());
    assertEquals("Observation:", body.path("options").path("stop").get(0).asText());
    assertFalse(body.has("think"), "no thinking budget, no think field");
    assertFalse(body.path("options").has("num_ctx"), "a short prompt keeps the server's context size");
  }

  @Test
  void thinkingBudgetMapsToThinkAndThinkingIsNotTheAnswer() {
    List<String> stream = new ArrayList<>();
    stream.add("{\"model\":\"qwen3:8b\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Hmm, lava.\"},"
        + "\"done\":false}");
    stream.addAll(lines("qwen3:8b", "Magma", " rises."));
    server.then(server.ndjson(Duration.ZERO, stream), server.ndjson(Duration.ZERO, lines("gpt-oss:20b", "ok")));
    LlmRequest request = LlmRequest.of(List.of(Message.user("Why do volcanoes erupt?"))).withThinking(ThinkingBudget.LOW);
    try (OllamaChatModel qwen = model("qwen3:8b"); OllamaChatModel oss = model("gpt-oss:20b")) {
      assertEquals("Magma rises.", qwen.complete(request));
      assertTrue(server.last().body().path("think").asBoolean());
      assertEquals(LlmRequest.DEFAULT_MAX_TOKENS + ThinkingBudget.LOW.tokens(),
          server.last().body().path("options").path("num_predict").asInt());
      oss.complete(request);
      assertEquals("low", server.last().body().path("think").asText(), "gpt-oss takes a level");
    }
  }

  @Test
  void inlineThinkTagsAreDropped() {
    server.then(server.ndjson(Duration.ZERO, lines("deepseek-r1", "<think>", "\nThe user asks", " about cats.\n",
        "</think>", "\n\n", "Cats", " purr.")));
    try (OllamaChatModel model = model("deepseek-r1")) {
      List<String> tokens = new CopyOnWriteArrayList<>();
      assertEquals("Cats purr.", ChatModel.await(model.stream(LlmRequest.of(List.of(Message.user("cats?"))), tokens::add)));
      assertEquals("Cats purr.", String.join("", tokens));
    }
  }

  @Test
  void longPromptsRaiseTheContextWindow() {
    server.then(server.ndjson(Duration.ZERO, lines("llama3.2", "ok")));
    String passage = "The coral reef shelters thousands of fish species in warm water. ".repeat(600);
    try (OllamaChatModel model = model("llama3.2")) {
      model.complete(LlmRequest.of(List.of(Message.user(passage))));
    }
    int ctx = server.last().body().path("options").path("num_ctx").asInt();
    assertTrue(ctx > OllamaChatModel.DEFAULT_CONTEXT && Integer.bitCount(ctx) == 1, "num_ctx " + ctx);
  }

  @Test
  void aMissingModelListsTheInstalledOnes() {
    server.then(FakeLlmServer.json(404, "{\"error\":\"model \\\"llama3\\\" not found, try pulling it first\"}"),
        FakeLlmServer.json(200, TAGS));
    try (OllamaChatModel model = model("llama3")) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(LlmRequest.of(List.of(Message.user("hi")))));
      assertEquals(LlmException.Kind.UNKNOWN_MODEL, e.kind());
      String m = e.getMessage();
      assertTrue(m.contains("ollama pull llama3"), m);
      assertTrue(m.contains("did you mean llama3.2:latest or llama3.1:8b?"), m);
      assertTrue(m.contains("Installed: llama3.2:latest, llama3.1:8b"), m);
      assertFalse(m.contains("nomic-embed-text"), "embedding models cannot chat: " + m);
    }
    assertEquals("/api/tags", server.last().path());
    assertEquals("GET", server.last().method());
  }

  @Test
  void anErrorLineInTheStreamFailsTheAnswer() {
    List<String> stream = new ArrayList<>(lines("llama3.2", "Half").subList(0, 1));
    stream.add("{\"error\":\"an error was encountered while running the model: unexpected EOF\"}");
    server.then(server.ndjson(Duration.ZERO, stream));
    try (OllamaChatModel model = model("llama3.2")) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(LlmRequest.of(List.of(Message.user("hi")))));
      assertTrue(e.getMessage().contains("unexpected EOF"), e.getMessage());
    }
  }

  @Test
  void hostsAreReadAsTheOllamaCliReadsThem() {
    assertEquals("http://gpu-box:11434", Urls.ollamaHost("gpu-box", "OLLAMA_HOST").toString());
    assertEquals("http://10.0.0.5:8080", Urls.ollamaHost("10.0.0.5:8080", "OLLAMA_HOST").toString());
    assertEquals("https://ollama.example.com", Urls.ollamaHost("https://ollama.example.com/", "OLLAMA_HOST").toString());
    LlmException e = assertThrows(LlmException.class, () -> Urls.ollamaHost("ftp://x", "OLLAMA_HOST"));
    assertEquals(LlmException.Kind.NOT_CONFIGURED, e.kind());
  }
}
