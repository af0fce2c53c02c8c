package io.leann.protocol.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What every client of a remote model provider shares, whether it asks for embeddings
 * ({@code io.leann.embed.remote}) or streams a chat answer ({@code io.leann.coordinator.rag}): the
 * HTTP client they open, the lenient JSON they read (vendors add fields freely), the server's
 * {@code Retry-After} and the message of a vendor's JSON error body. The retry policy itself is
 * {@link HttpOptions}; secrets are kept out of messages by {@link Redactor}. Stateless and
 * thread-safe.
 */
public final class ProviderHttp {

  /** Reads vendor answers: unknown fields are ignored, since vendors add them without notice. */
  public static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ProviderHttp() {}

  /** A client for {@code server}: HTTP/1.1 for plain http, HTTP/2 (through ALPN) for TLS. */
  public static HttpClient newClient(URI server, HttpOptions options) {
    return HttpClient.newBuilder()
        .connectTimeout(options.connectTimeout())
        // Plain-http servers (Ollama, LM Studio, vLLM, llama.cpp) gain nothing from an h2c upgrade
        // attempt and some answer it badly; TLS servers negotiate HTTP/2 through ALPN.
        .version("http".equalsIgnoreCase(server.getScheme())
            ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
        .build();
  }

  /** The wait a response asks for in its {@code Retry-After} header, if it names one that parses. */
  public static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(ProviderHttp::parseRetryAfter);
  }

  /** A {@code Retry-After} value: delta-seconds or an HTTP date; unparsable is empty. */
  public static Optional<Duration> parseRetryAfter(String value) {
    String trimmed = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(trimmed))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }

  /**
   * The message of the error bodies providers send: {@code {"error":{"message":...}}} (OpenAI,
   * Gemini, Anthropic), {@code {"error":"..."}} (Ollama) or {@code {"message":...}}; null if none.
   * Not redacted: callers pass it through their {@link Redactor}.
   */
  public static String serverError(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException notJson) {
      return null;
    }
    if (root == null) {
      return null;
    }
    JsonNode error = root.path("error");
    if (error.isTextual()) {
      return error.asText();
    }
    if (error.path("message").isTextual()) {
      return error.path("message").asText();
    }
    return root.path("message").isTextual() ? root.path("message").asText() : null;
  }
}
