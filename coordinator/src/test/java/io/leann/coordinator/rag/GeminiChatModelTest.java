package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.protocol.http.ProviderHttp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Gemini provider against a local server speaking {@code streamGenerateContent?alt=sse}. */
class GeminiChatModelTest {
  static final String KEY = "AIzaSyD-test-0123456789abcdef";

  FakeLlmServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeLlmServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String chunk(String text, boolean thought, String finish) {
    return "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": " + ProviderHttp.JSON.valueToTree(text)
        + (thought ? ", \"thought\": true" : "") + "}],\"role\": \"model\"}"
        + (finish == null ? "" : ",\"finishReason\": \"" + finish + "\"") + ",\"index\": 0}],"
        + "\"usageMetadata\": {\"promptTokenCount\": 12,\"candidatesTokenCount\": 4,\"totalTokenCount\": 16},"
        + "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"abc\"}";
  }

  GeminiChatModel model() {
    return new GeminiChatModel(server.uri(), "gemini-2.5-flash", KEY, FakeLlmServer.FAST);
  }

  @Test
  void streamsPartsSkippingThoughts() {
    server.then(server.sse(Duration.ZERO, List.of(chunk("Weighing the passages", true, null), chunk("Coral", false, null),
        chunk(" bleaches.", false, "STOP"))));
    LlmRequest request = LlmRequest.of(List.of(Message.system("Cite sources."), Message.user("Why?"),
        Message.assistant("Heat."), Message.user("What happens to coral?"))).withThinking(ThinkingBudget.LOW);
    try (GeminiChatModel model = model()) {
      assertEquals("Coral bleaches.", model.complete(request));
    }
    FakeLlmServer.Recorded r = server.last();
    assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent", r.path());
    assertEquals("alt=sse", r.query());
    assertEquals(KEY, r.header("x-goog-api-key"));
    JsonNode body = r.body();
    assertEquals("Cite sources.", body.path("systemInstruction").path("parts").get(0).path("text").asText());
    assertEquals(List.of("user", "model", "user"), body.path("contents").findValuesAsText("role"));
    assertEquals(ThinkingBudget.LOW.tokens(),
        body.path("generationConfig").path("thinkingConfig").path("thinkingBudget").asInt());
  }

  @Test
  void aBadKeyIsAKeyErrorThoughGeminiSays400() {
    server.then(FakeLlmServer.json(400, """
        {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
          "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
            "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]}}"""));
    try (GeminiChatModel model = model()) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(LlmRequest.of(List.of(Message.user("hi")))));
      assertEquals(LlmException.Kind.AUTH, e.kind());
      assertTrue(e.getMessage().contains("GEMINI_API_KEY"), e.getMessage());
      assertFalse(e.getMessage().contains(KEY));
    }
  }

  @Test
  void anUnknownModelIsReported() {
    server.then(FakeLlmServer.json(404, """
        {"error": {"code": 404, "message": "models/gemini-9 is not found for API version v1beta, or is not supported for \
        generateContent.", "status": "NOT_FOUND"}}"""));
    try (GeminiChatModel model = new GeminiChatModel(server.uri(), "gemini-9", KEY, FakeLlmServer.FAST)) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(LlmRequest.of(List.of(Message.user("hi")))));
      assertEquals(LlmException.Kind.UNKNOWN_MODEL, e.kind());
      assertTrue(e.getMessage().contains("is not found"), e.getMessage());
    }
  }
}
