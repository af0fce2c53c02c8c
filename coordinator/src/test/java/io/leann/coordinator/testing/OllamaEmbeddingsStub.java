package io.leann.coordinator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An Ollama server on 127.0.0.1 that answers its batch endpoint {@code POST /api/embed}
 * ({@code {"model", "input": [...]}} to {@code {"model", "embeddings": [[...]]}}) with the same
 * deterministic vectors as {@link OpenAiEmbeddingsStub}, and records every input text.
 */
public final class OllamaEmbeddingsStub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final List<String> receivedInputs = new CopyOnWriteArrayList<>();

  private OllamaEmbeddingsStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/api/embed", this::embed);
    server.start();
  }

  public static OllamaEmbeddingsStub start() throws IOException {
    return new OllamaEmbeddingsStub();
  }

  /** The value for {@code OLLAMA_HOST}. */
  public String host() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every input text received so far, in order of arrival. */
  public List<String> receivedInputs() {
    return List.copyOf(receivedInputs);
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void embed(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      List<float[]> embeddings = new ArrayList<>();
      for (JsonNode text : request.path("input")) {
        receivedInputs.add(text.asText());
        embeddings.add(OpenAiEmbeddingsStub.vector(text.asText()));
      }
      byte[] bytes = JSON.writeValueAsBytes(Map.of("model", request.path("model").asText(), "embeddings", embeddings));
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
