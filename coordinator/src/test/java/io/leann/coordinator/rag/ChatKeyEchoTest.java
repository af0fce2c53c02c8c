package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.http.Redactor;
import io.leann.protocol.testing.SecretLeaks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chat providers that send a key (OpenAI, Anthropic, Gemini), configured from the environment
 * as {@code leann ask} and the server do ({@code *_BASE_URL} pointing at a loopback stand-in),
 * against a server that quotes the key it received: in the vendor's JSON error, masked, in a plain
 * body, in a header, in an error event in the middle of a stream, or in a malformed event. The
 * exception's message, causes, printed stack trace and the log hold no part of the key of 8 or
 * more characters.
 *
 * <p>Ollama has no authentication: its client sends no key and no header, so it has no case here.
 */
class ChatKeyEchoTest {
  static final String KEY = "lk-Test0Key9f3a7c21b8e64d05a1c2";

  enum Echo {
    JSON_MESSAGE, MASKED, PLAIN_BODY, HEADER
  }

  enum Vendor {
    OPENAI(LlmProvider.OPENAI, "gpt-4o", "Authorization"),
    ANTHROPIC(LlmProvider.ANTHROPIC, "claude-sonnet-4-5", "x-api-key"),
    GEMINI(LlmProvider.GEMINI, "gemini-2.5-flash", "x-goog-api-key");

    final LlmProvider provider;
    final String model;
    final String keyHeader;

    Vendor(LlmProvider provider, String model, String keyHeader) {
      this.provider = provider;
      this.model = model;
      this.keyHeader = keyHeader;
    }

    Map<String, String> env(FakeLlmServer server) {
      return switch (this) {
        case OPENAI -> Map.of("OPENAI_BASE_URL", server.uri() + "/v1", "OPENAI_API_KEY", KEY);
        case ANTHROPIC -> Map.of("ANTHROPIC_BASE_URL", server.uri().toString(), "ANTHROPIC_API_KEY", KEY);
        case GEMINI -> Map.of("GEMINI_BASE_URL", server.uri().toString(), "GEMINI_API_KEY", KEY);
      };
    }

    /** The vendor's error body, quoting {@code quoted}. */
    String error(int status, String quoted) {
      return switch (this) {
        case OPENAI -> "{\"error\":{\"message\":\"Incorrect API key provided: " + quoted + ".\",\"type\":"
            + "\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
        case ANTHROPIC -> "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
            + "\"invalid x-api-key: " + quoted + "\"}}";
        case GEMINI -> "{\"error\":{\"code\":" + status + ",\"message\":\"API key not valid: " + quoted
            + "\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
            + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]}}";
      };
    }

    /** An error event in the middle of the vendor's stream, quoting {@code quoted}. */
    String errorEvent(String quoted) {
      return switch (this) {
        case OPENAI, GEMINI -> "data: " + error(500, quoted);
        case ANTHROPIC -> "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            + "\"message\":\"overloaded, key " + quoted + "\"}}";
      };
    }
  }

  FakeLlmServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeLlmServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static Stream<Arguments> refusals() {
    List<Arguments> all = new ArrayList<>();
    for (Vendor vendor : Vendor.values()) {
      for (int status : new int[] {401, 400, 500}) {
        for (Echo echo : Echo.values()) {
          all.add(Arguments.of(vendor, status, echo));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} HTTP {1} {2}")
  @MethodSource("refusals")
  void aKeyQuotedInARefusalShowsNowhere(Vendor vendor, int status, Echo echo) {
    FakeLlmServer.Responder refusal = exchange -> {
      String key = receivedKey(vendor, exchange.getRequestHeaders().getFirst(vendor.keyHeader));
      String quoted = switch (echo) {
        case JSON_MESSAGE, PLAIN_BODY -> key;
        case MASKED -> key.substring(0, 12) + "*************" + key.substring(key.length() - 4);
        case HEADER -> "(see header)";
      };
      if (echo == Echo.PLAIN_BODY) {
        byte[] body = ("invalid credentials in request header: " + key).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      String[] headers = echo == Echo.HEADER
          ? new String[] {"WWW-Authenticate", "Bearer error=\"invalid_token\", key=\"" + key + "\""} : new String[0];
      FakeLlmServer.json(status, vendor.error(status, quoted), headers).respond(exchange);
    };
    server.then(refusal, refusal, refusal);

    LlmException e = failure(vendor);

    assertEquals(KEY, receivedKey(vendor, server.requests().getFirst().header(vendor.keyHeader)));
    assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
    if (echo == Echo.JSON_MESSAGE || echo == Echo.PLAIN_BODY) {
      assertTrue(e.getMessage().contains(Redactor.MARK), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Vendor.class)
  void aKeyQuotedInTheMiddleOfAStreamShowsNowhere(Vendor vendor) {
    server.then(server.sse(Duration.ZERO, List.of(vendor.errorEvent(KEY))));
    LlmException e = failure(vendor);
    assertTrue(e.getMessage().contains("in the middle of an answer") && e.getMessage().contains(Redactor.MARK),
        e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Vendor.class)
  void aMalformedEventQuotingTheKeyLeavesNoKeyInTheParsersCause(Vendor vendor) {
    // A bare word: Jackson quotes an unrecognized token whole in its message.
    server.then(server.sse(Duration.ZERO, List.of("data: {\"x\": " + KEY.replace("-", "") + "}")));
    LlmException e = failure(vendor);
    assertEquals(LlmException.Kind.PROTOCOL, e.kind());
    Redactor.RedactedException cause = assertInstanceOf(Redactor.RedactedException.class, e.getCause());
    assertTrue(cause.originalClass().contains("jackson"), cause.toString());
  }

  /** Asks {@code vendor} through ChatModels and checks the failure and the log for the key. */
  private LlmException failure(Vendor vendor) {
    LlmException e;
    try (SecretLeaks.Logs logs = new SecretLeaks.Logs("io.leann");
        ChatModels models = new ChatModels(vendor.env(server), FakeLlmServer.FAST);
        ChatModel model = models.create(new LlmConfig(vendor.provider, vendor.model, null, null, null))) {
      e = assertThrows(LlmException.class, () -> model.complete(LlmRequest.of(List.of(Message.user("hi")))));
      SecretLeaks.assertNoSecret(KEY, "the log", logs.text());
    }
    SecretLeaks.assertNoSecret(KEY, e);
    return e;
  }

  private static String receivedKey(Vendor vendor, String header) {
    return vendor == Vendor.OPENAI ? header.substring("Bearer ".length()) : header;
  }
}
