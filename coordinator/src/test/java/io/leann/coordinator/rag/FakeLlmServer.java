package io.leann.coordinator.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.leann.protocol.http.HttpOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A scripted stand-in for an LLM provider on 127.0.0.1: records every request (path, headers,
 * JSON body) and answers with the next scripted response: a JSON or plain body with any status
 * and headers, or a stream of chunks written one by one (SSE or NDJSON, as the vendor sends them).
 * A request with nothing scripted gets a 500 naming it, so a test never hangs on a surprise call.
 */
final class FakeLlmServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Quick timeouts and retries, so failure paths take milliseconds. */
  static final HttpOptions FAST = new HttpOptions(Duration.ofSeconds(2), Duration.ofSeconds(5), 3,
      Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(5));

  /** One request as the server saw it. */
  record Recorded(String method, String path, String query, Map<String, List<String>> headers, JsonNode body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue().getFirst();
        }
      }
      return null;
    }
  }

  /** Writes one response. */
  @FunctionalInterface
  interface Responder {
    void respond(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Deque<Responder> script = new ArrayDeque<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  /** Counted down when a streamed response fails to write because the client went away. */
  final CountDownLatch clientHungUp = new CountDownLatch(1);

  FakeLlmServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Adds responses, answered in order. */
  synchronized FakeLlmServer then(Responder... responders) {
    script.addAll(List.of(responders));
    return this;
  }

  List<Recorded> requests() {
    return requests;
  }

  Recorded last() {
    return requests.getLast();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] raw = exchange.getRequestBody().readAllBytes();
    JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
    requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
        exchange.getRequestURI().getQuery(), Map.copyOf(exchange.getRequestHeaders()), body));
    Responder next;
    synchronized (this) {
      next = script.poll();
    }
    try {
      if (next == null) {
        json(500, "{\"error\": \"no scripted response for " + exchange.getRequestURI() + "\"}").respond(exchange);
      } else {
        next.respond(exchange);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  /** A whole body with {@code status}; {@code headers} as name, value pairs. */
  static Responder json(int status, String body, String... headers) {
    return exchange -> {
      for (int i = 0; i < headers.length; i += 2) {
        exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    };
  }

  /** A 200 streamed in {@code chunks}, flushed one by one with {@code pause} between them. */
  Responder stream(String contentType, Duration pause, List<String> chunks) {
    return exchange -> {
      exchange.getResponseHeaders().add("Content-Type", contentType);
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      try {
        for (String chunk : chunks) {
          out.write(chunk.getBytes(StandardCharsets.UTF_8));
          out.flush();
          if (!pause.isZero()) {
            Thread.sleep(pause);
          }
        }
      } catch (IOException e) {
        clientHungUp.countDown();
      }
    };
  }

  /** Server-sent events: each element is one event's text without the blank line that ends it. */
  Responder sse(Duration pause, List<String> events) {
    return stream("text/event-stream", pause, events.stream().map(e -> e + "\n\n").toList());
  }

  /** Newline-delimited JSON, Ollama's streaming format. */
  Responder ndjson(Duration pause, List<String> lines) {
    return stream("application/x-ndjson", pause, lines.stream().map(l -> l + "\n").toList());
  }
}
