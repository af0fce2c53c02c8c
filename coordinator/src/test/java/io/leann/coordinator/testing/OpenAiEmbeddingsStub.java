package io.leann.coordinator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An OpenAI-compatible embeddings server on 127.0.0.1 ({@code POST /v1/embeddings}) whose key can
 * be revoked: until then it answers OpenAI's shape with small deterministic vectors; afterwards a
 * 401 that quotes the bearer key it received, as OpenAI does ("Incorrect API key provided: ...").
 * For tests that follow a rejected key through the build, the job records, the logs and the CLI,
 * and for tests of what reaches the provider: it records every key and input text it receives.
 */
public final class OpenAiEmbeddingsStub implements AutoCloseable {
  public static final int DIMENSIONS = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicBoolean revoked = new AtomicBoolean();
  private final List<String> receivedKeys = new CopyOnWriteArrayList<>();
  private final List<String> receivedInputs = new CopyOnWriteArrayList<>();

  private OpenAiEmbeddingsStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/v1/embeddings", this::embeddings);
    server.start();
  }

  public static OpenAiEmbeddingsStub start() throws IOException {
    return new OpenAiEmbeddingsStub();
  }

  /** The value for {@code OPENAI_BASE_URL}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** From now on every request is refused with a 401 quoting its key. */
  public void revokeKey() {
    revoked.set(true);
  }

  /** The bearer keys of the requests so far, in order. */
  public List<String> receivedKeys() {
    return List.copyOf(receivedKeys);
  }

  /** Every input text received so far, in order of arrival. */
  public List<String> receivedInputs() {
    return List.copyOf(receivedInputs);
  }

  /** Forgets the requests so far. */
  public void clear() {
    receivedKeys.clear();
    receivedInputs.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void embeddings(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      String key = authorization == null ? "" : authorization.replaceFirst("^Bearer ", "");
      receivedKeys.add(key);
      if (revoked.get()) {
        send(exchange, 401, Map.of("error", Map.of("message", "Incorrect API key provided: " + key
            + ". You can find your API key at https://platform.openai.com/account/api-keys.",
            "type", "invalid_request_error", "code", "invalid_api_key")));
        return;
      }
      List<Map<String, Object>> data = new ArrayList<>();
      JsonNode input = request.path("input");
      for (int i = 0; i < input.size(); i++) {
        receivedInputs.add(input.get(i).asText());
        data.add(Map.of("object", "embedding", "index", i, "embedding", vector(input.get(i).asText())));
      }
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("object", "list");
      answer.put("data", data);
      answer.put("model", request.path("model").asText());
      answer.put("usage", Map.of("prompt_tokens", 1, "total_tokens", 1));
      send(exchange, 200, answer);
    }
  }

  /** A unit-free, never-zero vector that depends on the text. */
  public static float[] vector(String text) {
    float[] v = new float[DIMENSIONS];
    for (int d = 0; d < DIMENSIONS; d++) {
      v[d] = 1 + ((text.hashCode() >>> d) & 7);
    }
    return v;
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
