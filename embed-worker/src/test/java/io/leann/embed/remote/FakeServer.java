package io.leann.embed.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A provider stand-in on 127.0.0.1: records every request (method, path, headers, JSON body) and
 * answers through per-path handlers. Unknown paths get Go's plain-text 404, as an Ollama or
 * another Go server would send. Requests are served concurrently, so overlap can be observed.
 */
final class FakeServer implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  record Call(String method, String path, Headers headers, JsonNode body) {}

  record Reply(int status, Map<String, String> headers, String body) {
    static Reply json(int status, String body) {
      return new Reply(status, Map.of("Content-Type", "application/json"), body);
    }

    static Reply json(Object body) {
      try {
        return json(200, JSON.writeValueAsString(body));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @FunctionalInterface
  interface Handler {
    Reply handle(Call call) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  private FakeServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::serve);
    server.start();
  }

  static FakeServer start() throws IOException {
    return new FakeServer();
  }

  FakeServer on(String path, Handler handler) {
    handlers.put(path, handler);
    return this;
  }

  /** {@code http://127.0.0.1:port} followed by {@code path}. */
  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  List<Call> calls(String path) {
    return calls.stream().filter(c -> c.path().equals(path)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] raw = exchange.getRequestBody().readAllBytes();
      JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
      Call call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders(), body);
      calls.add(call);
      Handler handler = handlers.get(call.path());
      Reply reply;
      try {
        reply = handler == null
            ? new Reply(404, Map.of("Content-Type", "text/plain"), "404 page not found")
            : handler.handle(call);
      } catch (Exception e) {
        reply = Reply.json(500, "{\"error\":\"fake server handler failed: " + e + "\"}");
      }
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
