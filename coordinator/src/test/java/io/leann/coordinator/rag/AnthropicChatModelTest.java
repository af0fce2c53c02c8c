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
 * The Anthropic provider against a local server speaking the Messages API: named SSE events
 * (including pings, a thinking block and its signature), the headers and body it must send, and
 * Anthropic's error bodies, before and during the stream.
 */
class AnthropicChatModelTest {
  static final String KEY = "sk-ant-api03-abcdefghijklmnop";

  FakeLlmServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeLlmServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String event(String type, String data) {
    return "event: " + type + "\ndata: " + data;
  }

  /** A message stream as Anthropic sends it, with a thinking block before the text. */
  static List<String> events(String... tokens) {
    List<String> events = new ArrayList<>();
    events.add(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,"
        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}"));
    events.add(event("content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}"));
    events.add(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"The passages say lava.\"}}"));
    events.add(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"}}"));
    events.add(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
    events.add(event("ping", "{\"type\": \"ping\"}"));
    events.add(event("content_block_start",
        "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    for (String t : tokens) {
      events.add(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":" + ProviderHttp.JSON.valueToTree(t) + "}}"));
    }
    events.add(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
    events.add(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}"));
    events.add(event("message_stop", "{\"type\":\"message_stop\"}"));
    return events;
  }

  AnthropicChatModel model() {
    return new AnthropicChatModel(server.uri(), "claude-sonnet-4-5", KEY, FakeLlmServer.FAST);
  }

  static LlmRequest request() {
    return LlmRequest.of(List.of(Message.system("Cite sources."), Message.user("What erupts?"),
        Message.assistant("A volcano."), Message.user("What flows out?")));
  }

  @Test
  void streamsTextDeltasWithExtendedThinking() {
    server.then(server.sse(Duration.ZERO, events("Lava", " flows", " out.")));
    List<String> tokens = new CopyOnWriteArrayList<>();
    try (AnthropicChatModel model = model()) {
      LlmRequest request = request().withThinking(ThinkingBudget.MEDIUM).withStop(List.of("Observation:"));
      assertEquals("Lava flows out.", ChatModel.await(model.stream(request, tokens::add)));
      assertEquals(List.of("Lava", " flows", " out."), tokens, "thinking is not part of the answer");
    }
    FakeLlmServer.Recorded r = server.last();
    assertEquals("/v1/messages", r.path());
    assertEquals(KEY, r.header("x-api-key"));
    assertEquals("2023-06-01", r.header("anthropic-version"));
    JsonNode body = r.body();
    assertEquals("claude-sonnet-4-5", body.path("model").asText());
    assertEquals("Cite sources.", body.path("system").asText());
    assertEquals(List.of("user", "assistant", "user"), body.path("messages").findValuesAsText("role"));
    assertTrue(body.path("stream").asBoolean());
    assertEquals("enabled", body.path("thinking").path("type").asText());
    assertEquals(ThinkingBudget.MEDIUM.tokens(), body.path("thinking").path("budget_tokens").asInt());
    assertTrue(body.path("max_tokens").asInt() > body.path("thinking").path("budget_tokens").asInt());
    assertEquals("Observation:", body.path("stop_sequences").get(0).asText());
  }

  @Test
  void withoutABudgetThereIsNoThinking() {
    server.then(server.sse(Duration.ZERO, events("ok")));
    try (AnthropicChatModel model = model()) {
      model.complete(request());
    }
    assertFalse(server.last().body().has("thinking"));
    assertEquals(LlmRequest.DEFAULT_MAX_TOKENS, server.last().body().path("max_tokens").asInt());
  }

  @Test
  void aBadKeyNamesTheVariable() {
    server.then(FakeLlmServer.json(401,
        "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}"));
    try (AnthropicChatModel model = model()) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.AUTH, e.kind());
      assertTrue(e.getMessage().contains("ANTHROPIC_API_KEY") && e.getMessage().contains("invalid x-api-key"),
          e.getMessage());
      assertFalse(e.getMessage().contains(KEY));
    }
  }

  @Test
  void anUnknownModelIsReported() {
    server.then(FakeLlmServer.json(404,
        "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-9\"}}"));
    try (AnthropicChatModel model = new AnthropicChatModel(server.uri(), "claude-9", KEY, FakeLlmServer.FAST)) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.UNKNOWN_MODEL, e.kind());
      assertTrue(e.getMessage().contains("'claude-9'") && e.getMessage().contains("model: claude-9"), e.getMessage());
    }
  }

  @Test
  void overloadedIsRetriedThenAnErrorEventFailsTheStream() {
    String overloaded = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    List<String> broken = new ArrayList<>(events("Half").subList(0, 7));
    broken.add(event("error", overloaded));
    server.then(FakeLlmServer.json(529, overloaded), server.sse(Duration.ZERO, broken));
    try (AnthropicChatModel model = model()) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("overloaded_error") && e.getMessage().contains("Overloaded"), e.getMessage());
    }
    assertEquals(2, server.requests().size(), "the 529 was retried");
  }
}
