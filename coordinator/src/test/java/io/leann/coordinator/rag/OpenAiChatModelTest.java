package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.protocol.http.HttpOptions;
import io.leann.protocol.http.ProviderHttp;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible provider against a local server speaking OpenAI's wire format: the request
 * body it sends (plain and reasoning models), the SSE answer it reads, OpenAI's own error bodies,
 * retries, cancellation and a stalled stream.
 */
class OpenAiChatModelTest {
  static final String KEY = "sk-test-0123456789abcdef";

  FakeLlmServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeLlmServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** OpenAI's stream: a role delta, content deltas, a finish chunk, then [DONE]. */
  static List<String> chunks(String... tokens) {
    List<String> events = new ArrayList<>();
    String head = "data: {\"id\":\"chatcmpl-9x\",\"object\":\"chat.completion.chunk\",\"created\":1727000000,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":";
    events.add(head + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}");
    for (String t : tokens) {
      events.add(head + "{\"content\":" + ProviderHttp.JSON.valueToTree(t) + "},\"logprobs\":null,\"finish_reason\":null}]}");
    }
    events.add(head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}");
    events.add("data: [DONE]");
    return events;
  }

  OpenAiChatModel model(String name) {
    return model(name, FakeLlmServer.FAST);
  }

  OpenAiChatModel model(String name, HttpOptions options) {
    return new OpenAiChatModel(Urls.base(server.uri() + "/v1", "test"), name, KEY, options);
  }

  static LlmRequest request() {
    return LlmRequest.of(List.of(Message.system("Be brief."), Message.user("What do cats do?")));
  }

  @Test
  void streamsTokensAndSendsLeannsParameters() {
    server.then(server.sse(Duration.ZERO, chunks("Cats", " purr", " and nap.")));
    List<String> tokens = new CopyOnWriteArrayList<>();
    try (OpenAiChatModel model = model("gpt-4o-mini")) {
      String answer = ChatModel.await(model.stream(request().withStop(List.of("Observation:")), tokens::add));
      assertEquals("Cats purr and nap.", answer);
      assertEquals(List.of("Cats", " purr", " and nap."), tokens);
      assertEquals("openai/gpt-4o-mini", model.name());
    }
    FakeLlmServer.Recorded r = server.last();
    assertEquals("/v1/chat/completions", r.path());
    assertEquals("Bearer " + KEY, r.header("Authorization"));
    JsonNode body = r.body();
    assertEquals("gpt-4o-mini", body.path("model").asText());
    assertTrue(body.path("stream").asBoolean());
    assertEquals(0.7, body.path("temperature").asDouble());
    assertEquals(LlmRequest.DEFAULT_MAX_TOKENS, body.path("max_tokens").asInt());
    assertEquals("Observation:", body.path("stop").get(0).asText());
    assertEquals("system", body.path("messages").get(0).path("role").asText());
    assertEquals("Be brief.", body.path("messages").get(0).path("content").asText());
    assertEquals("user", body.path("messages").get(1).path("role").asText());
    assertFalse(body.has("max_completion_tokens") || body.has("reasoning_effort"));
  }

  @Test
  void reasoningModelsGetMaxCompletionTokensAndReasoningEffort() {
    server.then(server.sse(Duration.ZERO, chunks("42")));
    try (OpenAiChatModel model = model("o3-mini")) {
      assertEquals("42", model.complete(request().withThinking(ThinkingBudget.HIGH).withStop(List.of("x"))));
    }
    JsonNode body = server.last().body();
    assertEquals("high", body.path("reasoning_effort").asText());
    assertEquals(LlmRequest.DEFAULT_MAX_TOKENS + ThinkingBudget.HIGH.tokens(), body.path("max_completion_tokens").asInt());
    assertFalse(body.has("max_tokens") || body.has("temperature") || body.has("stop"), body.toString());
    assertTrue(OpenAiChatModel.isReasoningModel("gpt-5-mini"));
    assertTrue(OpenAiChatModel.isReasoningModel("openai/o4-mini"));
    assertFalse(OpenAiChatModel.isReasoningModel("gpt-4o"));
  }

  @Test
  void aRejectedKeyNamesTheVariableAndNeverEchoesTheKey() {
    server.then(FakeLlmServer.json(401, """
        {"error": {"message": "Incorrect API key provided: sk-test-***************cdef. You can find your API key at \
        https://platform.openai.com/account/api-keys. (%s)", "type": "invalid_request_error", "param": null,
         "code": "invalid_api_key"}}""".formatted(KEY)));
    try (OpenAiChatModel model = model("gpt-4o")) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.AUTH, e.kind());
      assertTrue(e.getMessage().contains("OPENAI_API_KEY"), e.getMessage());
      assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
      assertFalse(e.getMessage().contains(KEY), e.getMessage());
      assertFalse(e.getMessage().contains("cdef"), e.getMessage());
    }
    assertEquals(1, server.requests().size(), "a 401 is not retried");
  }

  @Test
  void anUnknownModelIsOneClearError() {
    server.then(FakeLlmServer.json(404, """
        {"error": {"message": "The model `gpt-9` does not exist or you do not have access to it.",
         "type": "invalid_request_error", "param": null, "code": "model_not_found"}}"""));
    try (OpenAiChatModel model = model("gpt-9")) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.UNKNOWN_MODEL, e.kind());
      assertTrue(e.getMessage().contains("'gpt-9'") && e.getMessage().contains("does not exist"), e.getMessage());
    }
  }

  @Test
  void rateLimitsAndServerErrorsAreRetried() {
    server.then(
        FakeLlmServer.json(429, """
            {"error": {"message": "Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29000.",
             "type": "tokens", "param": null, "code": "rate_limit_exceeded"}}""", "Retry-After", "0"),
        FakeLlmServer.json(503, "{\"error\": {\"message\": \"The server is overloaded\", \"type\": \"server_error\"}}"),
        server.sse(Duration.ZERO, chunks("fine")));
    try (OpenAiChatModel model = model("gpt-4o")) {
      assertEquals("fine", model.complete(request()));
    }
    assertEquals(3, server.requests().size());
  }

  @Test
  void retriesGiveUpWithTheVendorsMessage() {
    String overloaded = "{\"error\": {\"message\": \"The server is overloaded\", \"type\": \"server_error\"}}";
    server.then(FakeLlmServer.json(500, overloaded), FakeLlmServer.json(500, overloaded),
        FakeLlmServer.json(500, overloaded));
    try (OpenAiChatModel model = model("gpt-4o")) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("HTTP 500 after 3 attempt(s)") && e.getMessage().contains("overloaded"),
          e.getMessage());
    }
  }

  @Test
  void anErrorInTheMiddleOfTheStreamFailsTheAnswer() {
    List<String> events = new ArrayList<>(chunks("partial").subList(0, 2));
    events.add("data: {\"error\": {\"message\": \"The model produced invalid content.\", \"type\": \"server_error\"}}");
    server.then(server.sse(Duration.ZERO, events));
    try (OpenAiChatModel model = model("gpt-4o")) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertTrue(e.getMessage().contains("invalid content"), e.getMessage());
    }
  }

  @Test
  void anEventThatIsNotJsonIsAProtocolErrorThatHidesKeys() {
    List<String> events = new ArrayList<>(chunks("partial").subList(0, 2));
    events.add("data: {\"choices\": [ sk-proj-abcdefghijkl");
    server.then(server.sse(Duration.ZERO, events));
    try (OpenAiChatModel model = model("gpt-4o")) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.PROTOCOL, e.kind());
      assertTrue(e.getMessage().contains("sent an event that is not JSON: {\"choices\": [ [REDACTED]"),
          e.getMessage());
    }
  }

  @Test
  void cancellingTheFutureClosesTheUpstreamConnection() throws Exception {
    String[] many = new String[400];
    Arrays.fill(many, " word");
    server.then(server.sse(Duration.ofMillis(20), chunks(many)));
    List<String> tokens = new CopyOnWriteArrayList<>();
    try (OpenAiChatModel model = model("gpt-4o")) {
      CompletableFuture<String> answer = model.stream(request(), tokens::add);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (tokens.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(tokens.size() >= 3, "tokens arrive as they are streamed");
      assertTrue(answer.cancel(true));
      assertTrue(server.clientHungUp.await(5, TimeUnit.SECONDS), "the server saw the connection close");
      int seen = tokens.size();
      Thread.sleep(100);
      assertEquals(seen, tokens.size(), "no tokens after the cancel");
    }
  }

  @Test
  void aStalledStreamTimesOut() {
    server.then(exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      exchange.getResponseBody().write((chunks("slow").get(1) + "\n\n").getBytes());
      exchange.getResponseBody().flush();
      Thread.sleep(3_000);
    });
    HttpOptions impatient = FakeLlmServer.FAST.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300));
    try (OpenAiChatModel model = model("gpt-4o", impatient)) {
      long start = System.nanoTime();
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("sent nothing"), e.getMessage());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Test
  void anUnreachableServerNamesTheUrlVariable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (OpenAiChatModel model = new OpenAiChatModel(Urls.base("http://127.0.0.1:" + port + "/v1", "test"),
        "gpt-4o", KEY, FakeLlmServer.FAST)) {
      LlmException e = assertThrows(LlmException.class, () -> model.complete(request()));
      assertEquals(LlmException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("unreachable") && e.getMessage().contains("OPENAI_BASE_URL"), e.getMessage());
    }
  }
}
