package io.leann.embed.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.embed.EmbeddingException;
import io.leann.embed.remote.FakeServer.Call;
import io.leann.embed.remote.FakeServer.Reply;
import io.leann.protocol.http.Redactor;
import io.leann.protocol.testing.SecretLeaks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Embedding providers whose server quotes back the key it received, as real ones do ("Incorrect
 * API key provided: sk-..."): in a vendor-shaped JSON error, masked, in a plain-text body, in a
 * response header, or inside a malformed 200 answer. Whatever the status (401, 400, 500 after
 * retries), the exception's message, every cause, the printed stack trace ({@code -v}) and the log
 * hold neither the key nor any 8-character part of it, while still naming the failure.
 *
 * <p>Ollama's embedder sends no key and no header (Ollama has no authentication), so it has
 * nothing to leak and no case here.
 */
class KeyEchoTest {
  /** Not shaped like any vendor's key, so only the client's own knowledge of it can hide it. */
  static final String KEY = "lk-Test0Key9f3a7c21b8e64d05a1c2";

  /** How the server quotes the key it was sent. */
  enum Echo {
    JSON_MESSAGE, MASKED, PLAIN_BODY, HEADER
  }

  /** One provider: how it receives its key, its error shape and its endpoint. */
  record Vendor(String name, String path, Function<Call, String> receivedKey,
      Function<Map<String, String>, RemoteEmbedder> create) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final Vendor OPENAI = new Vendor("OpenAI", "/v1/embeddings",
      call -> call.headers().getFirst("Authorization").substring("Bearer ".length()),
      env -> OpenAiEmbedder.create(OpenAiEmbedder.Config.fromEnvironment(null, env)
          .withHttp(OpenAiEmbedderTest.FAST.withMaxAttempts(2))));
  static final Vendor GEMINI = new Vendor("Gemini", "/v1beta/models/text-embedding-004:batchEmbedContents",
      call -> call.headers().getFirst("x-goog-api-key"),
      env -> GeminiEmbedder.create(GeminiEmbedder.Config.fromEnvironment(null, env)
          .withHttp(OpenAiEmbedderTest.FAST.withMaxAttempts(2))));

  private FakeServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = FakeServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (Vendor vendor : List.of(OPENAI, GEMINI)) {
      for (int status : new int[] {401, 400, 500}) {
        for (Echo echo : Echo.values()) {
          all.add(Arguments.of(vendor, status, echo));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} HTTP {1} {2}")
  @MethodSource("cases")
  void aKeyQuotedInAnErrorShowsNowhere(Vendor vendor, int status, Echo echo) {
    server.on(vendor.path(), call -> errorReply(vendor, status, echo, vendor.receivedKey().apply(call)));

    EmbeddingException e;
    try (SecretLeaks.Logs logs = new SecretLeaks.Logs("io.leann.embed");
        RemoteEmbedder embedder = vendor.create().apply(env(vendor))) {
      e = assertThrows(EmbeddingException.class, () -> embedder.embed(List.of("some text")));
      SecretLeaks.assertNoSecret(KEY, "the log", logs.text());
      if (status == 500) {
        assertTrue(logs.events() > 0, "the retry is logged, so the log check saw something");
      }
    }
    assertEquals(KEY, vendor.receivedKey().apply(server.calls().getFirst()), "the stub saw the real key");
    SecretLeaks.assertNoSecret(KEY, e);
    assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
    if (echo == Echo.JSON_MESSAGE || echo == Echo.PLAIN_BODY) {
      assertTrue(e.getMessage().contains(Redactor.MARK), "the server's words stay, the key is marked: "
          + e.getMessage());
    }
  }

  @Test
  void aMalformedAnswerQuotingTheKeyLeavesNoKeyInTheParsersCause() {
    for (Vendor vendor : List.of(OPENAI, GEMINI)) {
      // A bare word: Jackson quotes an unrecognized token whole in its message.
      server.on(vendor.path(), call -> Reply.json(200,
          "{\"data\": " + vendor.receivedKey().apply(call).replace("-", "") + "}"));
      try (RemoteEmbedder embedder = vendor.create().apply(env(vendor))) {
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> embedder.embed(List.of("x")));
        SecretLeaks.assertNoSecret(KEY, e);
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        Redactor.RedactedException cause = assertInstanceOf(Redactor.RedactedException.class, e.getCause());
        assertTrue(cause.originalClass().contains("jackson"), "the trace still says what failed: " + cause);
      }
    }
  }

  @Test
  void configurationsNeverShowTheKey() {
    SecretLeaks.assertNoSecret(KEY, "OpenAiEmbedder.Config",
        OpenAiEmbedder.Config.fromEnvironment(null, env(OPENAI)).toString());
    SecretLeaks.assertNoSecret(KEY, "GeminiEmbedder.Config",
        GeminiEmbedder.Config.fromEnvironment(null, env(GEMINI)).toString());
  }

  private Map<String, String> env(Vendor vendor) {
    return vendor == OPENAI
        ? Map.of("OPENAI_BASE_URL", server.uri("/v1").toString(), "OPENAI_API_KEY", KEY)
        : Map.of("GEMINI_BASE_URL", server.uri("").toString(), "GEMINI_API_KEY", KEY);
  }

  /** The error each vendor sends, quoting {@code key} as {@code echo} says. */
  private static Reply errorReply(Vendor vendor, int status, Echo echo, String key) {
    String quoted = switch (echo) {
      case JSON_MESSAGE, PLAIN_BODY -> key;
      case MASKED -> key.substring(0, 12) + "*************" + key.substring(key.length() - 4);
      case HEADER -> "(see header)";
    };
    String json = vendor == OPENAI
        ? "{\"error\":{\"message\":\"Incorrect API key provided: " + quoted + ". You can find your API key at"
            + " https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"param\":null,"
            + "\"code\":\"invalid_api_key\"}}"
        : "{\"error\":{\"code\":" + status + ",\"message\":\"API key not valid. Please pass a valid API key: "
            + quoted + "\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
            + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]}}";
    return switch (echo) {
      case JSON_MESSAGE, MASKED -> Reply.json(status, json);
      case PLAIN_BODY -> new Reply(status, Map.of("Content-Type", "text/plain"),
          "invalid credentials in request header: " + key);
      case HEADER -> new Reply(status, Map.of("Content-Type", "application/json",
          "WWW-Authenticate", "Bearer error=\"invalid_token\", key=\"" + key + "\""), json);
    };
  }
}
